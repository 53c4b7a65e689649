import { StartRestoreJobCommand } from '@aws-sdk/client-backup';
import {
  AddTagsToResourceCommand,
  CreateDBInstanceCommand,
  DescribeDBClustersCommand,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import 'aws-sdk-client-mock-jest';
import type { DrillState } from '../../../../constructs/restore-drill/runtime/drill-state';
import type { DrillReport } from '../../../../constructs/restore-drill/runtime/report';
import { drillConfig, runDrill } from './drill-runner';
import { drillAws, type FakeAws } from './fake-aws';

const DRILL = 'shipshape-drill-weekly-drill-42';
const KEY = 'arn:aws:kms:eu-west-1:111111111111:key/abc';
const VAULT = { mode: 'backup-vault' as const, vaultName: 'shop-vault', restoreRoleArn: 'arn:aws:iam::111111111111:role/backup' };
const { s3, fakeAws } = drillAws();
let aws: FakeAws;
beforeEach(() => (aws = fakeAws()));

const passing = (state: DrillState): Promise<DrillState> =>
  Promise.resolve({ ...state, validation: { passed: true, checks: [], newestWrite: '2026-11-22T03:09:00.000Z', validatedAt: '2026-11-23T06:25:00.000Z' } });

function writtenReport(): DrillReport {
  return JSON.parse(s3.commandCalls(PutObjectCommand)[0].args[0].input.Body as string) as DrillReport;
}

function leftovers(): string[] {
  return [...aws.clusters.keys(), ...aws.instances.keys()].filter((id) => id.startsWith('shipshape-drill-'));
}

/** The RDS calls of a drill in order, named as in CloudTrail, ModifyDBCluster by what it changes. */
function rdsCalls(): string[] {
  return aws.rds.calls().map((call) => {
    const command = call.args[0];
    const name = command.constructor.name.replace(/Command$/, '');
    if (!(command instanceof ModifyDBClusterCommand)) return name;
    return `${name}(${command.input.ServerlessV2ScalingConfiguration ? 'capacity' : 'managed password'})`;
  });
}

describe("the copy's managed master secret is encrypted with the database's key", () => {
  test('Aurora: ModifyDBCluster turns on the managed password with the drill config key, and the secret handed to the validator is under it', async () => {
    // GIVEN an Aurora drill whose config carries the database key
    // WHEN it runs
    const { outcome, state } = await runDrill(drillConfig(), passing);

    // THEN RDS is told to use that key, not aws/secretsmanager
    expect(outcome).toBe('succeeded');
    expect(aws.rds).toHaveReceivedCommandWith(ModifyDBClusterCommand, {
      DBClusterIdentifier: DRILL,
      ManageMasterUserPassword: true,
      MasterUserSecretKmsKeyId: KEY,
      ApplyImmediately: true,
    });
    const describes = aws.rds.commandCalls(DescribeDBClustersCommand).map((c) => c.returnValue);
    const secrets = (await Promise.all(describes)).map((out) => out.DBClusters?.[0]?.MasterUserSecret).filter((s) => s);
    expect(secrets.at(-1)).toEqual({ SecretArn: state.masterSecretArn, SecretStatus: 'active', KmsKeyId: KEY });
  });

  test('RDS: ModifyDBInstance turns on the managed password with the drill config key', async () => {
    // GIVEN an RDS drill (the construct fills kmsKeyArn for both engines from the database key)
    aws.seedInstance('shop-db', [], new Date('2026-01-01T00:00:00Z'));
    // WHEN it runs
    const { outcome } = await runDrill(drillConfig({ engine: 'rds-multi-az', source: { mode: 'point-in-time', minutesAgo: 15 } }), passing);

    // THEN
    expect(outcome).toBe('succeeded');
    expect(aws.rds).toHaveReceivedCommandWith(ModifyDBInstanceCommand, { DBInstanceIdentifier: DRILL, ManageMasterUserPassword: true, MasterUserSecretKmsKeyId: KEY, ApplyImmediately: true });
  });

  test('RDS refuses the key: the drill fails with its reason and deletes the copy', async () => {
    // GIVEN a key RDS cannot use
    aws.rds.on(ModifyDBClusterCommand, { ManageMasterUserPassword: true }).rejects(Object.assign(new Error('The specified KMS key is not accessible'), { name: 'KMSKeyNotAccessibleFault' }));
    // WHEN the drill runs
    const { outcome } = await runDrill(drillConfig(), passing);

    // THEN it fails loudly, with nothing left behind
    expect(outcome).toBe('failed');
    expect(writtenReport().reason).toBe('KMSKeyNotAccessibleFault: The specified KMS key is not accessible');
    expect(leftovers()).toEqual([]);
  });
});

describe('Aurora from the AWS Backup vault', () => {
  test('the restored cluster gets its Serverless v2 capacity range before its db.serverless instance', async () => {
    // GIVEN a vault drill: AWS Backup restores the cluster without a capacity range
    // WHEN it runs
    const { outcome } = await runDrill(drillConfig({ source: VAULT }), passing);

    // THEN the range is set (and seen applied) before the instance is created
    expect(outcome).toBe('succeeded');
    expect(aws.backup).toHaveReceivedCommandWith(StartRestoreJobCommand, { ResourceType: 'Aurora' });
    expect(aws.rds).toHaveReceivedCommandWith(ModifyDBClusterCommand, {
      DBClusterIdentifier: DRILL,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
      ApplyImmediately: true,
    });
    const calls = rdsCalls();
    const first = (call: string) => calls.indexOf(call);
    const steps = ['AddTagsToResource', 'ModifyDBCluster(capacity)', 'CreateDBInstance', 'ModifyDBCluster(managed password)', 'DeleteDBInstance', 'DeleteDBCluster'];
    expect(steps.map(first)).toEqual(steps.map(first).filter((i) => i >= 0).sort((a, b) => a - b));
    expect(calls.filter((c) => c === 'ModifyDBCluster(capacity)')).toHaveLength(1);
    // Polled until the cluster showed the range, then created the instance.
    expect(calls.slice(first('ModifyDBCluster(capacity)'), first('CreateDBInstance'))).toContain('DescribeDBClusters');
    expect(leftovers()).toEqual([]);
  });

  test('a snapshot restore that already carries the range is not modified again', async () => {
    const { outcome } = await runDrill(drillConfig(), passing);

    expect(outcome).toBe('succeeded');
    expect(rdsCalls()).not.toContain('ModifyDBCluster(capacity)');
  });

  test('RDS refuses the capacity range: the drill fails with its reason, creates no instance, and deletes the cluster', async () => {
    // GIVEN RDS refuses the modification
    aws.rds.on(ModifyDBClusterCommand, { ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 } }).rejects(
      Object.assign(new Error('Serverless v2 is not supported by this engine version'), { name: 'InvalidParameterCombination' }),
    );
    // WHEN the vault drill runs
    const { outcome } = await runDrill(drillConfig({ source: VAULT }), passing);

    // THEN
    expect(outcome).toBe('failed');
    expect(writtenReport().reason).toBe('InvalidParameterCombination: Serverless v2 is not supported by this engine version');
    expect(aws.rds).not.toHaveReceivedCommand(CreateDBInstanceCommand);
    expect(aws.rds).toHaveReceivedCommand(AddTagsToResourceCommand);
    expect(leftovers()).toEqual([]);
  });
});
