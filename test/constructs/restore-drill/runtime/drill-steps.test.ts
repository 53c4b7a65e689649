import { DescribeRestoreJobCommand, StartRestoreJobCommand } from '@aws-sdk/client-backup';
import {
  AddTagsToResourceCommand,
  CreateDBInstanceCommand,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  type DeleteDBInstanceCommandInput,
  DescribeDBClustersCommand,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
  RestoreDBClusterFromSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import 'aws-sdk-client-mock-jest';
import type { DrillState } from '../../../../constructs/restore-drill/runtime/drill-state';
import type { DrillReport } from '../../../../constructs/restore-drill/runtime/report';
import { drillConfig, runDrill, START } from './drill-runner';
import { drillAws, type FakeAws } from './fake-aws';

const DRILL = 'shipshape-drill-weekly-drill-42';
const { s3, sns, fakeAws } = drillAws();
let aws: FakeAws;
beforeEach(() => (aws = fakeAws()));

/** A validator that passes, as the real one does against a healthy copy. */
const passing = (state: DrillState): Promise<DrillState> =>
  Promise.resolve({
  ...state,
  validation: {
    passed: true,
    checks: [{ name: 'connectivity', passed: true, message: 'PostgreSQL 17.9' }],
    newestWrite: '2026-11-22T03:09:00.000Z',
    validatedAt: new Date(START.getTime() + 25 * 60_000).toISOString(),
  },
  });

function writtenReport(): DrillReport {
  const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
  return JSON.parse(put.Body as string) as DrillReport;
}

/** No drill copy remains (the source, when a test seeds it, stays). */
function nothingLeft(): void {
  expect([...aws.clusters.keys()].filter((id) => id.startsWith('shipshape-drill-'))).toEqual([]);
  expect([...aws.instances.keys()].filter((id) => id.startsWith('shipshape-drill-'))).toEqual([]);
}

describe('Aurora from the latest automated snapshot', () => {
  test('restores a private, unprotected, drill-tagged copy, adds its instance, validates, reports and deletes it', async () => {
    const { outcome, state, metrics } = await runDrill(drillConfig(), passing);

    expect(outcome).toBe('succeeded');
    expect(aws.rds).toHaveReceivedCommandWith(RestoreDBClusterFromSnapshotCommand, {
      DBClusterIdentifier: DRILL,
      SnapshotIdentifier: 'rds:db-2026-11-22', // the newest *available* one
      Engine: 'aurora-postgresql',
      DBSubnetGroupName: 'drill-subnets',
      VpcSecurityGroupIds: ['sg-drill'],
      KmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/abc',
      DeletionProtection: false,
      Tags: [{ Key: 'shipshape:drill', Value: DRILL }, { Key: 'shipshape:drill-source', Value: 'shop-db' }],
    });
    expect(aws.rds).toHaveReceivedCommandWith(CreateDBInstanceCommand, {
      DBInstanceIdentifier: `${DRILL}-db`,
      DBClusterIdentifier: DRILL,
      DBInstanceClass: 'db.serverless',
      PubliclyAccessible: false,
    });
    expect(aws.rds).toHaveReceivedCommandWith(ModifyDBClusterCommand, { DBClusterIdentifier: DRILL, ManageMasterUserPassword: true, ApplyImmediately: true });
    expect(state.masterSecretArn).toBe(`arn:aws:secretsmanager:eu-west-1:111111111111:secret:rds!${DRILL}`);
    // The instance goes first; the cluster once it has none.
    const deletes = aws.rds.calls().map((c) => c.args[0]).filter((cmd) => cmd instanceof DeleteDBInstanceCommand || cmd instanceof DeleteDBClusterCommand);
    expect(deletes.map((d) => d.constructor.name)).toEqual(['DeleteDBInstanceCommand', 'DeleteDBClusterCommand']);
    expect(aws.rds).toHaveReceivedCommandWith(DeleteDBClusterCommand, { DBClusterIdentifier: DRILL, SkipFinalSnapshot: true });
    nothingLeft();

    const report = writtenReport();
    expect(report).toMatchObject({ outcome: 'succeeded', rtoSeconds: 1500, rpoSeconds: 60, source: { kind: 'snapshot', targetTime: '2026-11-22T03:10:00.000Z' } });
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: 'drill-reports', Key: `drills/shop-db/2026-11-23T06:00:00.000Z_${DRILL}.json` });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { Subject: 'Restore drill succeeded: shop-db' });
    expect(metrics).toEqual(
      expect.arrayContaining([
        { name: 'DrillSucceeded', value: 1, unit: 'Count' },
        { name: 'RtoSeconds', value: 1500, unit: 'Seconds' },
        { name: 'RpoSeconds', value: 60, unit: 'Seconds' },
        { name: 'CheckPassed', value: 1, unit: 'Count', check: 'connectivity' },
      ]),
    );
  });
});

describe('RDS point in time', () => {
  test('restores to now minus N minutes as a single-AZ private copy, then deletes it', async () => {
    aws.seedInstance('shop-db', [], new Date('2026-01-01T00:00:00Z'));
    const { outcome, state } = await runDrill(drillConfig({ engine: 'rds-multi-az', source: { mode: 'point-in-time', minutesAgo: 15 } }), passing);

    expect(outcome).toBe('succeeded');
    expect(state.source).toEqual({ kind: 'point-in-time', targetTime: '2026-11-23T05:45:00.000Z' });
    expect(aws.rds).toHaveReceivedCommandWith(RestoreDBInstanceToPointInTimeCommand, {
      SourceDBInstanceIdentifier: 'shop-db',
      TargetDBInstanceIdentifier: DRILL,
      RestoreTime: new Date('2026-11-23T05:45:00Z'),
      DBInstanceClass: 'db.t4g.small',
      MultiAZ: false,
      PubliclyAccessible: false,
      DeletionProtection: false,
    });
    expect(aws.rds).toHaveReceivedCommandWith(ModifyDBInstanceCommand, { DBInstanceIdentifier: DRILL, ManageMasterUserPassword: true });
    expect(aws.rds).toHaveReceivedCommandWith(DeleteDBInstanceCommand, { DBInstanceIdentifier: DRILL, SkipFinalSnapshot: true, DeleteAutomatedBackups: true });
    expect(aws.rds).not.toHaveReceivedCommand(CreateDBInstanceCommand);
    nothingLeft();
    expect(aws.instances.has('shop-db')).toBe(true);
  });
});

describe('AWS Backup vault', () => {
  test('restores the newest completed snapshot recovery point with the backup role, tags the copy, deletes it', async () => {
    const config = drillConfig({ source: { mode: 'backup-vault', vaultName: 'shop-vault', restoreRoleArn: 'arn:aws:iam::111111111111:role/backup' } });
    const { outcome } = await runDrill(config, passing);

    expect(outcome).toBe('succeeded');
    expect(aws.backup).toHaveReceivedCommandWith(StartRestoreJobCommand, {
      RecoveryPointArn: 'arn:aws:rds:eu-west-1:111111111111:cluster-snapshot:awsbackup:job-new',
      IamRoleArn: 'arn:aws:iam::111111111111:role/backup',
      ResourceType: 'Aurora',
    });
    expect(aws.rds).toHaveReceivedCommandWith(AddTagsToResourceCommand, {
      ResourceName: `arn:aws:rds:eu-west-1:111111111111:cluster:${DRILL}`,
      Tags: [{ Key: 'shipshape:drill', Value: DRILL }, { Key: 'shipshape:drill-source', Value: 'shop-db' }],
    });
    nothingLeft();
  });

  test('a failed restore job fails the drill with the job message, and nothing is left', async () => {
    aws.restoreJobStatus = 'FAILED';
    const { outcome } = await runDrill(drillConfig({ source: { mode: 'backup-vault', vaultName: 'v', restoreRoleArn: 'r' } }), passing);
    expect(outcome).toBe('failed');
    expect(writtenReport().reason).toBe('RestoreFailed: Restore job restore-job-1 FAILED: Insufficient capacity');
    expect(aws.backup).toHaveReceivedCommand(DescribeRestoreJobCommand);
    nothingLeft();
  });
});

describe('faults: every path deletes what was created', () => {
  test('the restore call fails: reported, nothing was created, nothing left', async () => {
    aws.rds.on(RestoreDBClusterFromSnapshotCommand).rejects(Object.assign(new Error('Snapshot is being copied'), { name: 'InvalidDBClusterSnapshotStateFault' }));
    const { outcome } = await runDrill(drillConfig(), passing);

    expect(outcome).toBe('failed');
    expect(writtenReport()).toMatchObject({ outcome: 'failed', reason: 'InvalidDBClusterSnapshotStateFault: Snapshot is being copied' });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { Subject: 'Restore drill failed: shop-db' });
    expect(aws.rds).toHaveReceivedCommandWith(DescribeDBClustersCommand, { DBClusterIdentifier: DRILL });
    nothingLeft();
  });

  test('the copy never becomes available: the drill times out at its bound and deletes the half-restored copy', async () => {
    aws.describesUntilAvailable = Number.POSITIVE_INFINITY;
    const { outcome } = await runDrill(drillConfig({ restoreTimeoutMinutes: 30 }), passing);

    expect(outcome).toBe('failed');
    expect(writtenReport().reason).toMatch(/^DrillTimeout: The copy was not ready after 31 minutes \(bound: 30\)/);
    expect(aws.rds).toHaveReceivedCommandWith(DeleteDBClusterCommand, { DBClusterIdentifier: DRILL });
    nothingLeft();
  });

  test('validation fails: reported with the failing checks, copy and instance deleted', async () => {
    const failing = (state: DrillState): Promise<DrillState> =>
      Promise.resolve({
      ...state,
      validation: { passed: false, checks: [{ name: 'table orders', passed: false, message: 'table orders does not exist' }], validatedAt: START.toISOString() },
      });
    const { outcome, metrics } = await runDrill(drillConfig(), failing);

    expect(outcome).toBe('failed');
    expect(writtenReport()).toMatchObject({ outcome: 'failed', reason: 'table orders: table orders does not exist' });
    expect(writtenReport().rtoSeconds).toBeUndefined();
    expect(metrics).toEqual(expect.arrayContaining([{ name: 'DrillFailed', value: 1, unit: 'Count' }, { name: 'CheckPassed', value: 0, unit: 'Count', check: 'table orders' }]));
    nothingLeft();
  });

  test('the validator crashes mid-check: reported as the error, copy and instance deleted', async () => {
    const crashing = (): Promise<DrillState> => Promise.reject(new Error('Connection terminated unexpectedly'));
    const { outcome } = await runDrill(drillConfig(), crashing);

    expect(outcome).toBe('failed');
    expect(writtenReport().reason).toBe('Error: Connection terminated unexpectedly');
    expect(aws.rds).toHaveReceivedCommandWith(DeleteDBInstanceCommand, { DBInstanceIdentifier: `${DRILL}-db` });
    nothingLeft();
  });

  test('a delete that fails once is retried and succeeds', async () => {
    aws.rds
      .on(DeleteDBInstanceCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .callsFake((input: DeleteDBInstanceCommandInput) => {
        aws.instances.delete(input.DBInstanceIdentifier as string);
        for (const c of aws.clusters.values()) c.members = c.members.filter((m) => m !== input.DBInstanceIdentifier);
        return {};
      });
    const { outcome } = await runDrill(drillConfig(), passing);

    expect(outcome).toBe('succeeded');
    expect(aws.rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(2);
    nothingLeft();
  });

  test('cleanup refuses to delete anything without the drill tag (the source is never at risk)', async () => {
    // GIVEN a cluster that has the drill's name but not its tag
    aws.seedCluster(DRILL, [], new Date('2026-11-01T00:00:00Z'));
    aws.rds.on(RestoreDBClusterFromSnapshotCommand).rejects(Object.assign(new Error('already exists'), { name: 'DBClusterAlreadyExistsFault' }));
    const { outcome } = await runDrill(drillConfig(), passing);

    expect(outcome).toBe('cleanup-failed');
    expect(aws.rds).not.toHaveReceivedCommand(DeleteDBClusterCommand);
    expect(aws.clusters.has(DRILL)).toBe(true);
  });
});
