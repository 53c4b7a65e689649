import { BackupClient, DescribeRestoreJobCommand } from '@aws-sdk/client-backup';
import { AddTagsToResourceCommand, DeleteDBClusterCommand, type DeleteDBClusterCommandInput, InvalidDBClusterStateFault, RDSClient } from '@aws-sdk/client-rds';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import 'aws-sdk-client-mock-jest';
import { sweep } from '../../../../constructs/restore-drill/runtime/cleanup';
import type { DrillState } from '../../../../constructs/restore-drill/runtime/drill-state';
import type { DrillReport } from '../../../../constructs/restore-drill/runtime/report';
import { drillConfig, runDrill, START } from './drill-runner';
import { drillAws, type FakeAws } from './fake-aws';

const DRILL = 'shipshape-drill-weekly-drill-42';
const { s3, fakeAws } = drillAws(() => START);
let aws: FakeAws;
beforeEach(() => (aws = fakeAws()));

const passing = (state: DrillState): Promise<DrillState> => Promise.resolve({ ...state, validation: { passed: true, checks: [], validatedAt: START.toISOString() } });
const reportReason = () => (JSON.parse(s3.commandCalls(PutObjectCommand)[0].args[0].input.Body as string) as DrillReport).reason;

test('a copy RDS will not delete: the cleanup polls for its bound, the drill ends in CleanupTimeout, and the sweeper deletes the copy later', async () => {
  // GIVEN a copy that never leaves "creating", which RDS refuses to delete meanwhile
  aws.describesUntilAvailable = Number.POSITIVE_INFINITY;
  let refuse = true;
  aws.rds.on(DeleteDBClusterCommand).callsFake((input: DeleteDBClusterCommandInput) => {
    if (refuse) throw new InvalidDBClusterStateFault({ message: 'DB cluster is creating', $metadata: {} });
    aws.clusters.delete(input.DBClusterIdentifier as string);
    return {};
  });

  // WHEN the drill runs
  const { outcome, state } = await runDrill(drillConfig({ restoreTimeoutMinutes: 30 }), passing);

  // THEN the drill reports its own failure, the cleanup fails loudly past its bound (not "done")
  expect(reportReason()).toMatch(/^DrillTimeout/);
  expect(outcome).toBe('cleanup-failed');
  expect(state.error).toMatchObject({ Error: 'CleanupTimeout', Cause: expect.stringMatching(/^Cleanup not done after 61 minutes \(bound: 60\)/) });
  expect(aws.rds.commandCalls(DeleteDBClusterCommand).length).toBeGreaterThan(60);
  // The copy is left tagged, so the sweeper sees it.
  expect(aws.clusters.get(DRILL)?.tags).toContainEqual({ Key: 'shipshape:drill', Value: DRILL });

  // WHEN the hourly sweeper runs past its bound, once RDS accepts the delete
  refuse = false;
  const clients = { rds: new RDSClient({ region: 'eu-west-1' }), backup: new BackupClient({ region: 'eu-west-1' }), now: () => new Date(START.getTime() + 13 * 3_600_000) };
  const swept = await sweep(clients, 12);

  // THEN the copy is gone
  expect(swept.deleted).toEqual([DRILL]);
  expect(aws.clusters.has(DRILL)).toBe(false);
});

test('a vault restore that outlives the drill bound: the cleanup waits for the job, tags the copy it created, and deletes it', async () => {
  // GIVEN an AWS Backup restore job that completes only after the drill has timed out
  aws.restoreJobStatus = 'RUNNING';
  let describes = 0;
  aws.backup.on(DescribeRestoreJobCommand).callsFake(() =>
    ++describes <= 35 ? { Status: 'RUNNING' } : { Status: 'COMPLETED', CreatedResourceArn: `arn:aws:rds:eu-west-1:111111111111:cluster:${DRILL}` },
  );
  const config = drillConfig({ restoreTimeoutMinutes: 30, source: { mode: 'backup-vault', vaultName: 'shop-vault', restoreRoleArn: 'arn:aws:iam::111111111111:role/backup' } });

  // WHEN the drill runs
  const { outcome } = await runDrill(config, passing);

  // THEN the drill fails at its bound, and the untagged copy the job created is adopted and deleted
  expect(outcome).toBe('failed');
  expect(reportReason()).toMatch(/^DrillTimeout/);
  expect(aws.rds).toHaveReceivedCommandWith(AddTagsToResourceCommand, { ResourceName: `arn:aws:rds:eu-west-1:111111111111:cluster:${DRILL}` });
  expect(aws.rds).toHaveReceivedCommandWith(DeleteDBClusterCommand, { DBClusterIdentifier: DRILL });
  expect(aws.clusters.has(DRILL)).toBe(false);
});
