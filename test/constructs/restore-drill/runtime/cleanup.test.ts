import { BackupClient, DescribeRestoreJobCommand } from '@aws-sdk/client-backup';
import {
  AddTagsToResourceCommand,
  DBInstanceNotFoundFault,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  InvalidDBClusterStateFault,
  InvalidDBInstanceStateFault,
  RDSClient,
  type Tag,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { cleanup } from '../../../../constructs/restore-drill/runtime/cleanup';
import type { DrillClients } from '../../../../constructs/restore-drill/runtime/drill-clients';
import type { DrillConfig, DrillState } from '../../../../constructs/restore-drill/runtime/drill-state';
import { drillConfig, START } from './drill-runner';

const DRILL = 'shipshape-drill-weekly-drill-42';
const TAGS: Tag[] = [{ Key: 'shipshape:drill', Value: DRILL }];
const CLUSTER_ARN = `arn:aws:rds:eu-west-1:111111111111:cluster:${DRILL}`;
const rds = mockClient(RDSClient);
const backup = mockClient(BackupClient);
let clock: number;
const clients: DrillClients = { rds: new RDSClient({ region: 'eu-west-1' }), backup: new BackupClient({ region: 'eu-west-1' }), now: () => new Date(clock) };

beforeEach(() => {
  rds.reset();
  backup.reset();
  clock = START.getTime();
});

function drill(config: Partial<DrillConfig> = {}, state: Partial<DrillState> = {}): DrillState {
  return { config: drillConfig(config), executionName: 'Weekly-Drill_42', startedAt: START.toISOString(), ...state };
}
const rdsDrill = (state: Partial<DrillState> = {}) => drill({ engine: 'rds-multi-az' }, state);
const instance = (status: string) => ({ DBInstances: [{ DBInstanceIdentifier: DRILL, DBInstanceStatus: status, TagList: TAGS }] });
const cluster = (status: string, members: string[] = []) => ({
  DBClusters: [{ DBClusterIdentifier: DRILL, Status: status, TagList: TAGS, DBClusterMembers: members.map((m) => ({ DBInstanceIdentifier: m })) }],
});
const minutesLater = (minutes: number) => {
  clock += minutes * 60_000;
};

describe('cleanup is done only when the copy is gone or deleting', () => {
  test('creating: RDS refuses the delete, not done; then the delete is retried and accepted; then deleting is done', async () => {
    // GIVEN an RDS copy still creating, which RDS will not delete yet
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(instance('creating'))
      .resolvesOnce(instance('available'))
      .resolves(instance('deleting'));
    rds.on(DeleteDBInstanceCommand).rejectsOnce(new InvalidDBInstanceStateFault({ message: `Instance ${DRILL} is not in available state`, $metadata: {} })).resolves({});

    // WHEN the state machine polls the cleanup
    const first = await cleanup(rdsDrill(), clients);
    minutesLater(1);
    const second = await cleanup(first, clients);
    minutesLater(1);
    const third = await cleanup(second, clients);

    // THEN
    expect(first).toMatchObject({ cleaned: false, cleanupStartedAt: START.toISOString() });
    expect(second).toMatchObject({ cleaned: true, cleanupStartedAt: START.toISOString() });
    expect(third.cleaned).toBe(true);
    expect(rds).toHaveReceivedCommandTimes(DeleteDBInstanceCommand, 2);
    expect(rds).toHaveReceivedCommandWith(DeleteDBInstanceCommand, { DBInstanceIdentifier: DRILL, SkipFinalSnapshot: true, DeleteAutomatedBackups: true });
  });

  test('a copy that reads deleting is done without another delete', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(instance('deleting'));

    await expect(cleanup(rdsDrill(), clients)).resolves.toMatchObject({ cleaned: true });
    expect(rds).not.toHaveReceivedCommand(DeleteDBInstanceCommand);
  });

  test('an Aurora cluster modifying: InvalidDBClusterStateFault on delete is not done', async () => {
    rds.on(DescribeDBClustersCommand).resolves(cluster('modifying'));
    rds.on(DeleteDBClusterCommand).rejects(new InvalidDBClusterStateFault({ message: `Cluster ${DRILL} is not in available state`, $metadata: {} }));

    await expect(cleanup(drill(), clients)).resolves.toMatchObject({ cleaned: false });
    expect(rds).toHaveReceivedCommandWith(DeleteDBClusterCommand, { DBClusterIdentifier: DRILL, SkipFinalSnapshot: true });
  });

  test('an RDS copy modifying: InvalidDBInstanceStateFault on delete is not done', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(instance('modifying'));
    rds.on(DeleteDBInstanceCommand).rejects(new InvalidDBInstanceStateFault({ message: `Instance ${DRILL} is not in available state`, $metadata: {} }));

    await expect(cleanup(rdsDrill(), clients)).resolves.toMatchObject({ cleaned: false });
  });

  test('an Aurora cluster waits for its instance to be gone, then is deleted', async () => {
    // GIVEN the copy's instance is deleting
    rds.on(DescribeDBClustersCommand).resolvesOnce(cluster('available', [`${DRILL}-db`])).resolves(cluster('available'));
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [{ DBInstanceIdentifier: `${DRILL}-db`, DBInstanceStatus: 'deleting', TagList: TAGS }] })
      .rejects(new DBInstanceNotFoundFault({ message: 'gone', $metadata: {} }));
    rds.on(DeleteDBClusterCommand).resolves({});

    // WHEN polled twice
    const first = await cleanup(drill(), clients);
    expect(first.cleaned).toBe(false);
    expect(rds).not.toHaveReceivedCommand(DeleteDBClusterCommand);
    minutesLater(1);
    const second = await cleanup(first, clients);

    // THEN the cluster goes once its instance has
    expect(second.cleaned).toBe(true);
    expect(rds).toHaveReceivedCommandWith(DeleteDBClusterCommand, { DBClusterIdentifier: DRILL });
  });
});

describe('the cleanup bound', () => {
  test('within the bound a refused delete is polled again; past it the step fails with CleanupTimeout', async () => {
    // GIVEN a copy RDS keeps refusing to delete, 59 and then 61 minutes into the cleanup
    rds.on(DescribeDBClustersCommand).resolves(cluster('creating'));
    rds.on(DeleteDBClusterCommand).rejects(new InvalidDBClusterStateFault({ message: 'creating', $metadata: {} }));
    const polling = drill({}, { cleanupStartedAt: new Date(clock - 59 * 60_000).toISOString() });

    // WHEN / THEN
    await expect(cleanup(polling, clients)).resolves.toMatchObject({ cleaned: false, cleanupStartedAt: polling.cleanupStartedAt });
    minutesLater(2);
    const failure = cleanup(polling, clients);
    await expect(failure).rejects.toMatchObject({ name: 'CleanupTimeout' });
    await expect(failure).rejects.toThrow(
      /^Cleanup not done after 61 minutes \(bound: 60\): shipshape-drill-weekly-drill-42 still exists .* the sweeper deletes it once it is older than its bound$/,
    );
  });

  test('a restore job still running at the bound fails with CleanupTimeout naming the job and the copy it will leave', async () => {
    // GIVEN a vault drill whose restore job outlives the cleanup bound
    backup.on(DescribeRestoreJobCommand).resolves({ Status: 'RUNNING' });
    const state = drill({}, { restoreJobId: 'restore-job-1' });

    // WHEN polled within and past the bound
    const waiting = await cleanup(state, clients);
    expect(waiting.cleaned).toBe(false);
    expect(rds).not.toHaveReceivedAnyCommand();
    minutesLater(61);

    // THEN
    await expect(cleanup(waiting, clients)).rejects.toThrow(/restore job restore-job-1 is still running: its copy shipshape-drill-weekly-drill-42 will appear untagged.*delete it by hand/);
  });
});

describe('a copy AWS Backup restored but the drill never tagged', () => {
  test('is tagged on the proof of this drill\'s completed restore job, then deleted', async () => {
    // GIVEN the job completed after the drill failed: the cluster it created is untagged
    backup.on(DescribeRestoreJobCommand).resolves({ Status: 'COMPLETED', CreatedResourceArn: CLUSTER_ARN });
    const tags: Tag[] = [];
    rds.on(AddTagsToResourceCommand).callsFake((input: { Tags?: Tag[] }) => {
      tags.push(...(input.Tags ?? []));
      return {};
    });
    rds.on(DescribeDBClustersCommand).callsFake(() => ({ DBClusters: [{ DBClusterIdentifier: DRILL, Status: 'available', TagList: [...tags], DBClusterMembers: [] }] }));
    rds.on(DeleteDBClusterCommand).resolves({});

    // WHEN
    const state = await cleanup(drill({ source: { mode: 'backup-vault', vaultName: 'v', restoreRoleArn: 'r' } }, { restoreJobId: 'restore-job-1' }), clients);

    // THEN tagged first (as the steps' role may), then deleted
    expect(state.cleaned).toBe(true);
    expect(rds).toHaveReceivedCommandWith(AddTagsToResourceCommand, {
      ResourceName: CLUSTER_ARN,
      Tags: [{ Key: 'shipshape:drill', Value: DRILL }, { Key: 'shipshape:drill-source', Value: 'shop-db' }],
    });
    const order = rds.calls().map((c) => c.args[0].constructor.name);
    expect(order).toEqual(['AddTagsToResourceCommand', 'DescribeDBClustersCommand', 'DeleteDBClusterCommand']);
  });

  test('a restore job that created something else proves nothing: no tag, and the untagged look-alike is refused', async () => {
    // GIVEN a job whose resource is not this drill's copy, and an untagged cluster with the drill's name
    backup.on(DescribeRestoreJobCommand).resolves({ Status: 'COMPLETED', CreatedResourceArn: 'arn:aws:rds:eu-west-1:111111111111:cluster:shop-db' });
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DBClusterIdentifier: DRILL, Status: 'available', TagList: [], DBClusterMembers: [] }] });

    // WHEN / THEN
    await expect(cleanup(drill({}, { restoreJobId: 'restore-job-1' }), clients)).rejects.toMatchObject({ name: 'NotADrillResource' });
    expect(rds).not.toHaveReceivedCommand(AddTagsToResourceCommand);
    expect(rds).not.toHaveReceivedCommand(DeleteDBClusterCommand);
  });
});
