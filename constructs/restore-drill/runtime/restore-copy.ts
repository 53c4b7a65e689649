import { DescribeRestoreJobCommand, StartRestoreJobCommand } from '@aws-sdk/client-backup';
import {
  AddTagsToResourceCommand,
  CreateDBInstanceCommand,
  DBInstanceAlreadyExistsFault,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
  RestoreDBClusterFromSnapshotCommand,
  RestoreDBClusterToPointInTimeCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { type DrillClients, DrillError } from './drill-clients';
import { drillId, type DrillState, drillTags } from './drill-state';

const AURORA = 'aurora-serverless-v2';
/** An Aurora copy's Serverless v2 capacity range, in ACU. */
const COPY_CAPACITY = { MinCapacity: 0.5, MaxCapacity: 4 };

/** The Aurora copy's one instance: the drill id with a suffix, within RDS's 63 characters. */
export function drillInstanceId(drillId: string): string {
  return `${drillId.slice(0, 60)}-db`;
}

/** Step 2: starts restoring a private, unprotected, drill-tagged copy in the isolated subnets. */
export async function startRestore(state: DrillState, clients: DrillClients): Promise<DrillState> {
  const { config, source } = state;
  const id = drillId(state);
  if (!source) throw new Error('startRestore needs a picked source');
  const network = { DBSubnetGroupName: config.subnetGroupName, VpcSecurityGroupIds: [config.securityGroupId] };
  const tags = drillTags(state);
  const aurora = config.engine === AURORA;
  if (source.kind === 'recovery-point') {
    const job = await clients.backup.send(
      new StartRestoreJobCommand({
        RecoveryPointArn: source.recoveryPointArn,
        IamRoleArn: config.source.mode === 'backup-vault' ? config.source.restoreRoleArn : undefined,
        ResourceType: aurora ? 'Aurora' : 'RDS',
        CopySourceTagsToRestoredResource: false,
        Metadata: aurora
          ? { DBClusterIdentifier: id, Engine: 'aurora-postgresql', DBSubnetGroupName: config.subnetGroupName, VpcSecurityGroupIds: JSON.stringify([config.securityGroupId]), KmsKeyId: config.kmsKeyArn }
          : { DBInstanceIdentifier: id, DBInstanceClass: config.instanceClass, MultiAZ: 'false', PubliclyAccessible: 'false', DBSubnetGroupName: config.subnetGroupName, VpcSecurityGroupIds: JSON.stringify([config.securityGroupId]) },
      }),
    );
    return { ...state, restoreJobId: job.RestoreJobId, clusterIdentifier: aurora ? id : undefined, instanceIdentifier: aurora ? undefined : id, ready: false };
  }
  if (aurora) {
    const common = {
      DBClusterIdentifier: id,
      ...network,
      KmsKeyId: config.kmsKeyArn,
      DeletionProtection: false,
      EnableIAMDatabaseAuthentication: false,
      CopyTagsToSnapshot: false,
      ServerlessV2ScalingConfiguration: COPY_CAPACITY,
      Tags: tags,
    };
    if (source.kind === 'snapshot') {
      await clients.rds.send(new RestoreDBClusterFromSnapshotCommand({ ...common, SnapshotIdentifier: source.snapshotIdentifier, Engine: 'aurora-postgresql' }));
    } else {
      await clients.rds.send(
        new RestoreDBClusterToPointInTimeCommand({ ...common, SourceDBClusterIdentifier: config.sourceIdentifier, RestoreToTime: new Date(source.targetTime), RestoreType: 'full-copy' }),
      );
    }
    return { ...state, clusterIdentifier: id, ready: false };
  }
  const common = {
    ...network,
    DBInstanceClass: config.instanceClass,
    MultiAZ: false,
    PubliclyAccessible: false,
    DeletionProtection: false,
    EnableIAMDatabaseAuthentication: false,
    CopyTagsToSnapshot: false,
    Tags: tags,
  };
  if (source.kind === 'snapshot') {
    await clients.rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ ...common, DBInstanceIdentifier: id, DBSnapshotIdentifier: source.snapshotIdentifier }));
  } else {
    await clients.rds.send(
      new RestoreDBInstanceToPointInTimeCommand({ ...common, TargetDBInstanceIdentifier: id, SourceDBInstanceIdentifier: config.sourceIdentifier, RestoreTime: new Date(source.targetTime) }),
    );
  }
  return { ...state, instanceIdentifier: id, ready: false };
}

/** Throws `DrillTimeout` once the restore has run longer than the configured bound. */
function assertWithinTimeout(state: DrillState, clients: DrillClients): void {
  const minutes = (clients.now().getTime() - new Date(state.startedAt).getTime()) / 60_000;
  if (minutes > state.config.restoreTimeoutMinutes) {
    throw new DrillError('DrillTimeout', `The copy was not ready after ${Math.round(minutes)} minutes (bound: ${state.config.restoreTimeoutMinutes})`);
  }
}

/**
 * Step 3 (polled by the state machine): is the restored cluster or instance available, and an
 * Aurora cluster ready for its db.serverless instance?
 */
export async function checkRestore(state: DrillState, clients: DrillClients): Promise<DrillState> {
  assertWithinTimeout(state, clients);
  if (state.restoreJobId) {
    const job = await clients.backup.send(new DescribeRestoreJobCommand({ RestoreJobId: state.restoreJobId }));
    if (job.Status === 'FAILED' || job.Status === 'ABORTED') {
      throw new DrillError('RestoreFailed', `Restore job ${state.restoreJobId} ${job.Status}: ${job.StatusMessage ?? 'no message'}`);
    }
    if (job.Status !== 'COMPLETED') return { ...state, ready: false };
    if (job.CreatedResourceArn) {
      // AWS Backup does not tag what it restores: tag it now so cleanup and IAM recognise it.
      await clients.rds.send(new AddTagsToResourceCommand({ ResourceName: job.CreatedResourceArn, Tags: drillTags(state) }));
    }
  }
  const copy = await status(state, clients);
  if (copy.available && copy.capacitySet === false) {
    // RDS adds a db.serverless instance only to a cluster with a Serverless v2 capacity range; a
    // cluster AWS Backup restores comes without one (its documented Aurora restore metadata has
    // no key for it): set it, then poll until the cluster shows it.
    // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.requirements.html#aurora-serverless-v2.requirements.capacity-range
    // https://docs.aws.amazon.com/aws-backup/latest/devguide/restoring-aur.html
    await clients.rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: state.clusterIdentifier, ServerlessV2ScalingConfiguration: COPY_CAPACITY, ApplyImmediately: true }));
    return { ...state, ready: false };
  }
  return { ...state, ready: copy.available };
}

interface CopyStatus {
  readonly available: boolean;
  /** Aurora: whether the cluster has the copy's Serverless v2 capacity range. */
  readonly capacitySet?: boolean;
  readonly secretArn?: string;
  readonly host?: string;
  readonly port?: number;
}

async function status(state: DrillState, clients: DrillClients): Promise<CopyStatus> {
  if (state.config.engine === AURORA) {
    const out = await clients.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: state.clusterIdentifier }));
    const cluster = out.DBClusters?.[0];
    const capacity = cluster?.ServerlessV2ScalingConfiguration;
    return {
      available: cluster?.Status === 'available',
      capacitySet: capacity?.MinCapacity === COPY_CAPACITY.MinCapacity && capacity.MaxCapacity === COPY_CAPACITY.MaxCapacity,
      secretArn: cluster?.MasterUserSecret?.SecretStatus === 'active' ? cluster.MasterUserSecret.SecretArn : undefined,
      host: cluster?.Endpoint,
      port: cluster?.Port,
    };
  }
  const out = await clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: state.instanceIdentifier }));
  const instance = out.DBInstances?.[0];
  return {
    available: instance?.DBInstanceStatus === 'available',
    secretArn: instance?.MasterUserSecret?.SecretStatus === 'active' ? instance.MasterUserSecret.SecretArn : undefined,
    host: instance?.Endpoint?.Address,
    port: instance?.Endpoint?.Port,
  };
}

/**
 * Step 4: makes the copy reachable for validation. Aurora restores a cluster without instances,
 * so one Serverless v2 instance is added. The copy keeps the master password of snapshot time,
 * which rotation may have changed since: RDS manages a new one in Secrets Manager instead (no
 * password ever passes through the drill's state), encrypted with the database's own key rather
 * than `aws/secretsmanager`, so reading it takes kms:Decrypt on that key (drill-permissions.ts).
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-secrets-manager.html
 */
export async function prepareAccess(state: DrillState, clients: DrillClients): Promise<DrillState> {
  const managedPassword = { ManageMasterUserPassword: true, MasterUserSecretKmsKeyId: state.config.kmsKeyArn, ApplyImmediately: true };
  if (state.config.engine === AURORA) {
    const instanceIdentifier = drillInstanceId(drillId(state));
    try {
      await clients.rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: instanceIdentifier,
          DBClusterIdentifier: state.clusterIdentifier,
          DBInstanceClass: 'db.serverless',
          Engine: 'aurora-postgresql',
          PubliclyAccessible: false,
          Tags: drillTags(state),
        }),
      );
    } catch (error) {
      if (!(error instanceof DBInstanceAlreadyExistsFault)) throw error;
    }
    await clients.rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: state.clusterIdentifier, ...managedPassword }));
    return { ...state, instanceIdentifier, ready: false };
  }
  await clients.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: state.instanceIdentifier, ...managedPassword }));
  return { ...state, ready: false };
}

/** Step 5 (polled): the copy answers and its managed master secret is active. */
export async function checkAccess(state: DrillState, clients: DrillClients): Promise<DrillState> {
  assertWithinTimeout(state, clients);
  const copy = await status(state, clients);
  let instanceReady = true;
  if (state.config.engine === AURORA) {
    const out = await clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: state.instanceIdentifier }));
    instanceReady = out.DBInstances?.[0]?.DBInstanceStatus === 'available';
  }
  const ready = copy.available && instanceReady && copy.secretArn !== undefined && copy.host !== undefined;
  return ready
    ? { ...state, ready, masterSecretArn: copy.secretArn, endpoint: { host: copy.host, port: copy.port ?? 5432 } }
    : { ...state, ready };
}
