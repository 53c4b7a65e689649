import { paginateListRecoveryPointsByBackupVault, type RecoveryPointByBackupVault } from '@aws-sdk/client-backup';
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  paginateDescribeDBClusterSnapshots,
  paginateDescribeDBSnapshots,
} from '@aws-sdk/client-rds';
import { type DrillClients, DrillError } from './drill-clients';
import type { DrillState, ResolvedSource } from './drill-state';

interface Snapshot {
  readonly id: string;
  readonly createdAt: Date;
}

/** Step 1: which backup this drill restores, and the time its data should reach. */
export async function pickSource(state: DrillState, clients: DrillClients): Promise<DrillState> {
  const { config } = state;
  const source = config.source;
  let resolved: ResolvedSource;
  switch (source.mode) {
    case 'latest-snapshot': {
      const latest = newest(await snapshots(state, clients, { automated: true }));
      if (!latest) throw new DrillError('NoBackup', `No automated snapshot of ${config.sourceIdentifier} is available yet`);
      resolved = { kind: 'snapshot', snapshotIdentifier: latest.id, targetTime: latest.createdAt.toISOString() };
      break;
    }
    case 'snapshot': {
      const [named] = await snapshots(state, clients, { identifier: source.snapshotIdentifier });
      if (!named) throw new DrillError('NoBackup', `Snapshot ${source.snapshotIdentifier} is not available`);
      resolved = { kind: 'snapshot', snapshotIdentifier: named.id, targetTime: named.createdAt.toISOString() };
      break;
    }
    case 'point-in-time': {
      const wanted = new Date(clients.now().getTime() - source.minutesAgo * 60_000);
      const latest = await latestRestorableTime(state, clients);
      if (!latest) throw new DrillError('NoBackup', `${config.sourceIdentifier} has no restorable time yet`);
      resolved = { kind: 'point-in-time', targetTime: (latest < wanted ? latest : wanted).toISOString() };
      break;
    }
    case 'backup-vault': {
      const point = await latestRecoveryPoint(state, clients, source.vaultName);
      if (!point?.RecoveryPointArn || !point.CreationDate) {
        throw new DrillError('NoBackup', `Vault ${source.vaultName} holds no completed recovery point of ${config.sourceIdentifier}`);
      }
      resolved = { kind: 'recovery-point', recoveryPointArn: point.RecoveryPointArn, targetTime: point.CreationDate.toISOString() };
      break;
    }
  }
  return { ...state, source: resolved };
}

function newest(list: Snapshot[]): Snapshot | undefined {
  return list.reduce<Snapshot | undefined>((best, s) => (!best || s.createdAt > best.createdAt ? s : best), undefined);
}

async function snapshots(state: DrillState, clients: DrillClients, filter: { automated?: boolean; identifier?: string }): Promise<Snapshot[]> {
  const { config } = state;
  const found: Snapshot[] = [];
  if (config.engine === 'aurora-serverless-v2') {
    const pages = paginateDescribeDBClusterSnapshots(
      { client: clients.rds },
      filter.identifier
        ? { DBClusterSnapshotIdentifier: filter.identifier }
        : { DBClusterIdentifier: config.sourceIdentifier, SnapshotType: 'automated' },
    );
    for await (const page of pages) {
      for (const s of page.DBClusterSnapshots ?? []) {
        if (s.Status === 'available' && s.DBClusterSnapshotIdentifier && s.SnapshotCreateTime) {
          found.push({ id: s.DBClusterSnapshotIdentifier, createdAt: s.SnapshotCreateTime });
        }
      }
    }
  } else {
    const pages = paginateDescribeDBSnapshots(
      { client: clients.rds },
      filter.identifier ? { DBSnapshotIdentifier: filter.identifier } : { DBInstanceIdentifier: config.sourceIdentifier, SnapshotType: 'automated' },
    );
    for await (const page of pages) {
      for (const s of page.DBSnapshots ?? []) {
        if (s.Status === 'available' && s.DBSnapshotIdentifier && s.SnapshotCreateTime) {
          found.push({ id: s.DBSnapshotIdentifier, createdAt: s.SnapshotCreateTime });
        }
      }
    }
  }
  return found;
}

async function latestRestorableTime(state: DrillState, clients: DrillClients): Promise<Date | undefined> {
  const id = state.config.sourceIdentifier;
  if (state.config.engine === 'aurora-serverless-v2') {
    const out = await clients.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }));
    return out.DBClusters?.[0]?.LatestRestorableTime;
  }
  const out = await clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
  return out.DBInstances?.[0]?.LatestRestorableTime;
}

async function latestRecoveryPoint(state: DrillState, clients: DrillClients, vaultName: string): Promise<RecoveryPointByBackupVault | undefined> {
  let best: RecoveryPointByBackupVault | undefined;
  const pages = paginateListRecoveryPointsByBackupVault(
    { client: clients.backup },
    { BackupVaultName: vaultName, ByResourceArn: state.config.sourceArn },
  );
  for await (const page of pages) {
    for (const point of page.RecoveryPoints ?? []) {
      // Snapshot recovery points only: a continuous one is restored by time, not as a whole.
      const continuous = point.RecoveryPointArn?.includes(':continuous:') ?? false;
      if (point.Status === 'COMPLETED' && !continuous && point.CreationDate && (!best?.CreationDate || point.CreationDate > best.CreationDate)) {
        best = point;
      }
    }
  }
  return best;
}
