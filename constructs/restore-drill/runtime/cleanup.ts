import { DescribeRestoreJobCommand } from '@aws-sdk/client-backup';
import {
  DBClusterNotFoundFault,
  DBInstanceNotFoundFault,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  InvalidDBClusterStateFault,
  InvalidDBInstanceStateFault,
  paginateDescribeDBClusters,
  paginateDescribeDBInstances,
  type Tag,
} from '@aws-sdk/client-rds';
import { type DrillClients, DrillError } from './drill-clients';
import { DRILL_NAME_PREFIX, DRILL_TAG, drillId, type DrillState } from './drill-state';

/** Refuses to touch anything not named and tagged as a drill copy: the source is never at risk. */
function assertDrillResource(identifier: string, tags: Tag[] | undefined): void {
  const tagged = tags?.some((t) => t.Key === DRILL_TAG);
  if (!identifier.startsWith(DRILL_NAME_PREFIX) || !tagged) {
    throw new DrillError('NotADrillResource', `Refusing to delete ${identifier}: it is not a drill copy (name ${DRILL_NAME_PREFIX}*, tag ${DRILL_TAG})`);
  }
}

const gone = (error: unknown) => error instanceof DBClusterNotFoundFault || error instanceof DBInstanceNotFoundFault;
const alreadyDeleting = (error: unknown) => error instanceof InvalidDBClusterStateFault || error instanceof InvalidDBInstanceStateFault;

async function deleteInstance(clients: DrillClients, identifier: string): Promise<'gone' | 'deleting'> {
  let instance;
  try {
    instance = (await clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }))).DBInstances?.[0];
  } catch (error) {
    if (gone(error)) return 'gone';
    throw error;
  }
  if (!instance) return 'gone';
  if (instance.DBInstanceStatus === 'deleting') return 'deleting';
  assertDrillResource(identifier, instance.TagList);
  try {
    await clients.rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: identifier, SkipFinalSnapshot: true, DeleteAutomatedBackups: true }));
  } catch (error) {
    if (gone(error)) return 'gone';
    if (!alreadyDeleting(error)) throw error;
  }
  return 'deleting';
}

async function deleteCluster(clients: DrillClients, identifier: string): Promise<'gone' | 'deleting' | 'waiting-for-instances'> {
  let cluster;
  try {
    cluster = (await clients.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }))).DBClusters?.[0];
  } catch (error) {
    if (gone(error)) return 'gone';
    throw error;
  }
  if (!cluster) return 'gone';
  if (cluster.Status === 'deleting') return 'deleting';
  assertDrillResource(identifier, cluster.TagList);
  const members = (cluster.DBClusterMembers ?? []).map((m) => m.DBInstanceIdentifier).filter((id): id is string => id !== undefined);
  const results = await Promise.all(members.map((member) => deleteInstance(clients, member)));
  // A cluster can be deleted only once it has no instances left.
  if (results.some((r) => r === 'deleting')) return 'waiting-for-instances';
  try {
    await clients.rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: identifier, SkipFinalSnapshot: true }));
  } catch (error) {
    if (gone(error)) return 'gone';
    if (!alreadyDeleting(error)) throw error;
  }
  return 'deleting';
}

/**
 * The last step, on success and on every failure (polled until done): deletes the copy, without
 * a final snapshot. Works from the drill id alone, so it also removes what a step created just
 * before it failed. A restore job still running is waited for: its copy would appear later.
 */
export async function cleanup(state: DrillState, clients: DrillClients): Promise<DrillState> {
  if (state.restoreJobId) {
    const job = await clients.backup.send(new DescribeRestoreJobCommand({ RestoreJobId: state.restoreJobId }));
    if (job.Status === 'PENDING' || job.Status === 'RUNNING') return { ...state, cleaned: false };
  }
  if (state.config.engine === 'aurora-serverless-v2') {
    const result = await deleteCluster(clients, drillId(state));
    return { ...state, cleaned: result === 'gone' || result === 'deleting' };
  }
  const result = await deleteInstance(clients, drillId(state));
  return { ...state, cleaned: (result === 'gone' || result === 'deleting') };
}

/** What the sweeper deleted (or started deleting). */
export interface SweepResult {
  readonly deleted: string[];
}

/**
 * The safety net: deletes every drill-tagged cluster and instance older than `maxAgeHours`
 * (a drill whose state machine died or timed out before its cleanup ran).
 */
export async function sweep(clients: DrillClients, maxAgeHours: number): Promise<SweepResult> {
  const cutoff = clients.now().getTime() - maxAgeHours * 3_600_000;
  const deleted: string[] = [];
  const old = (created: Date | undefined) => created !== undefined && created.getTime() < cutoff;
  const isDrill = (id: string | undefined, tags: Tag[] | undefined) => !!id?.startsWith(DRILL_NAME_PREFIX) && !!tags?.some((t) => t.Key === DRILL_TAG);
  for await (const page of paginateDescribeDBClusters({ client: clients.rds }, {})) {
    for (const cluster of page.DBClusters ?? []) {
      if (isDrill(cluster.DBClusterIdentifier, cluster.TagList) && old(cluster.ClusterCreateTime) && cluster.Status !== 'deleting') {
        await deleteCluster(clients, cluster.DBClusterIdentifier as string);
        deleted.push(cluster.DBClusterIdentifier as string);
      }
    }
  }
  for await (const page of paginateDescribeDBInstances({ client: clients.rds }, {})) {
    for (const instance of page.DBInstances ?? []) {
      // Aurora instances go with their cluster above; standalone RDS copies here.
      if (!instance.DBClusterIdentifier && isDrill(instance.DBInstanceIdentifier, instance.TagList) && old(instance.InstanceCreateTime)) {
        await deleteInstance(clients, instance.DBInstanceIdentifier as string);
        deleted.push(instance.DBInstanceIdentifier as string);
      }
    }
  }
  return { deleted };
}
