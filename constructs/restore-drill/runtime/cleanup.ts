import { DescribeRestoreJobCommand } from '@aws-sdk/client-backup';
import {
  AddTagsToResourceCommand,
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
import { CLEANUP_TIMEOUT_MINUTES, DRILL_NAME_PREFIX, DRILL_TAG, drillId, type DrillState, drillTags } from './drill-state';

/** Refuses to touch anything not named and tagged as a drill copy: the source is never at risk. */
function assertDrillResource(identifier: string, tags: Tag[] | undefined): void {
  const tagged = tags?.some((t) => t.Key === DRILL_TAG);
  if (!identifier.startsWith(DRILL_NAME_PREFIX) || !tagged) {
    throw new DrillError('NotADrillResource', `Refusing to delete ${identifier}: it is not a drill copy (name ${DRILL_NAME_PREFIX}*, tag ${DRILL_TAG})`);
  }
}

const gone = (error: unknown) => error instanceof DBClusterNotFoundFault || error instanceof DBInstanceNotFoundFault;

/**
 * Where a delete stands. Only `gone` and `deleting` are done. `refused`: RDS would not delete the
 * copy in its current state (creating, modifying, backing-up..., or a cluster that still has
 * instances); `restoring`: an AWS Backup restore job has yet to create it. The next poll retries.
 */
type Progress = 'gone' | 'deleting' | 'refused' | 'restoring';

async function deleteInstance(clients: DrillClients, identifier: string): Promise<Progress> {
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
    if (error instanceof InvalidDBInstanceStateFault) return 'refused';
    throw error;
  }
  return 'deleting';
}

async function deleteCluster(clients: DrillClients, identifier: string): Promise<Progress> {
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
  if (results.some((r) => r !== 'gone')) return 'refused';
  try {
    await clients.rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: identifier, SkipFinalSnapshot: true }));
  } catch (error) {
    if (gone(error)) return 'gone';
    if (error instanceof InvalidDBClusterStateFault) return 'refused';
    throw error;
  }
  return 'deleting';
}

/**
 * AWS Backup restores without tags; the drill tags the copy once it sees the job complete. A drill
 * that failed before that (say, at its restore bound) left the copy untagged, which the delete
 * would refuse and the sweeper would never see. The restore job proves the copy is this drill's
 * when the ARN it created names this drill's copy: then it is tagged here, and only then.
 */
async function adoptRestoredCopy(state: DrillState, clients: DrillClients, createdArn: string): Promise<void> {
  const [, , , , , type, name] = createdArn.split(':');
  if (type !== (state.config.engine === 'aurora-serverless-v2' ? 'cluster' : 'db') || name !== drillId(state)) return;
  try {
    await clients.rds.send(new AddTagsToResourceCommand({ ResourceName: createdArn, Tags: drillTags(state) }));
  } catch (error) {
    if (!gone(error)) throw error;
  }
}

async function deleteCopy(state: DrillState, clients: DrillClients): Promise<Progress> {
  if (state.restoreJobId) {
    const job = await clients.backup.send(new DescribeRestoreJobCommand({ RestoreJobId: state.restoreJobId }));
    // A restore job still running would create the copy after this delete: wait for it.
    if (job.Status === 'PENDING' || job.Status === 'RUNNING') return 'restoring';
    if (job.Status === 'COMPLETED' && job.CreatedResourceArn) await adoptRestoredCopy(state, clients, job.CreatedResourceArn);
  }
  return state.config.engine === 'aurora-serverless-v2' ? deleteCluster(clients, drillId(state)) : deleteInstance(clients, drillId(state));
}

/**
 * The last step, on success and on every failure (polled until done): deletes the copy, without
 * a final snapshot. Works from the drill id alone, so it also removes what a step created just
 * before it failed. Done means gone or deleting; a copy RDS will not delete yet (still creating
 * or modifying) is retried on the next poll, for up to `CLEANUP_TIMEOUT_MINUTES`, then the
 * execution fails with `CleanupTimeout`. What that leaves: a tagged copy, which the sweeper
 * deletes later; or, when an AWS Backup restore job was still running, a copy that will appear
 * untagged once the job completes, which nothing here deletes (the sweeper and IAM act on tagged
 * copies only): the CleanupTimeout message names the job and the copy to delete by hand.
 */
export async function cleanup(state: DrillState, clients: DrillClients): Promise<DrillState> {
  const cleanupStartedAt = state.cleanupStartedAt ?? clients.now().toISOString();
  const progress = await deleteCopy(state, clients);
  if (progress === 'gone' || progress === 'deleting') return { ...state, cleanupStartedAt, cleaned: true };
  const minutes = (clients.now().getTime() - new Date(cleanupStartedAt).getTime()) / 60_000;
  if (minutes > CLEANUP_TIMEOUT_MINUTES) {
    const what =
      progress === 'restoring'
        ? `restore job ${state.restoreJobId} is still running: its copy ${drillId(state)} will appear untagged, and neither the sweeper nor the next drill deletes it; delete it by hand`
        : `${drillId(state)} still exists (RDS would not delete it yet, or its instances are still deleting); the sweeper deletes it once it is older than its bound`;
    throw new DrillError('CleanupTimeout', `Cleanup not done after ${Math.round(minutes)} minutes (bound: ${CLEANUP_TIMEOUT_MINUTES}): ${what}`);
  }
  return { ...state, cleanupStartedAt, cleaned: false };
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
