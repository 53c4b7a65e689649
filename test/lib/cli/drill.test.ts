import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, type GetObjectCommandOutput, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { main } from '../../../lib/cli';
import { testCliContext } from '../../helpers/cli';

const SM = 'arn:aws:states:eu-west-1:111111111111:stateMachine:drill';
const EXEC = 'arn:aws:states:eu-west-1:111111111111:execution:drill:manual-1';
const cfn = mockClient(CloudFormationClient);
const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
let out: string[];
let err: string[];


const run = (...args: string[]) => main(args, testCliContext('2026-11-25T10:00:00Z', out), (line) => err.push(line));

const DRILL_STATE = {
  config: { databaseLabel: 'shop-db', engine: 'aurora-serverless-v2' },
  executionName: 'manual-1',
  startedAt: '2026-11-25T10:00:00.000Z',
  source: { kind: 'snapshot', snapshotIdentifier: 's', targetTime: '2026-11-25T03:10:00.000Z' },
  validation: {
    passed: true,
    checks: [{ name: 'connectivity', passed: true, message: 'PostgreSQL 17.9' }],
    newestWrite: '2026-11-25T03:09:30.000Z',
    validatedAt: '2026-11-25T10:21:00.000Z',
  },
};

function entered(name: string, minute: number, input?: unknown) {
  return { timestamp: new Date(Date.UTC(2026, 10, 25, 10, minute)), type: 'TaskStateEntered' as const, id: minute + 1, stateEnteredEventDetails: { name, input: input ? JSON.stringify(input) : undefined } };
}

beforeEach(() => {
  cfn.reset();
  sfn.reset();
  s3.reset();
  out = [];
  err = [];
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'shipshape-stateful', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [
      { OutputKey: 'RestoreDrillStateMachineArn', OutputValue: SM },
      { OutputKey: 'RestoreDrillReportBucket', OutputValue: 'reports' },
    ] }],
  });
  sfn.on(ListExecutionsCommand).resolves({ executions: [] });
  sfn.on(StartExecutionCommand).resolves({ executionArn: EXEC, startDate: new Date('2026-11-25T10:00:00Z') });
});

describe('shipshape drill run', () => {
  test('starts the scheduled drill state machine and returns at once without --wait', async () => {
    await expect(run('drill', 'run')).resolves.toBe(0);
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'shipshape-stateful' });
    expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, { stateMachineArn: SM, statusFilter: 'RUNNING' });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: SM, name: 'manual-2026-11-25T10-00-00-000Z' });
    expect(out).toEqual(['Started restore drill manual-2026-11-25T10-00-00-000Z']);
  });

  test('--wait prints each step with its elapsed time and the measured RTO and RPO', async () => {
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: [entered('PickSource', 0), entered('StartRestore', 0), entered('CheckRestore', 1)] })
      .resolves({ events: [entered('CheckRestore', 12), entered('PrepareAccess', 14), entered('Validate', 20), entered('Report', 21, DRILL_STATE), entered('Cleanup', 21)] });
    sfn.on(DescribeExecutionCommand).resolvesOnce({ status: 'RUNNING' }).resolves({ status: 'SUCCEEDED' });

    await expect(run('drill', 'run', '--wait')).resolves.toBe(0);
    expect(out).toEqual([
      'Started restore drill manual-2026-11-25T10-00-00-000Z',
      '  [00:00] picking the backup',
      '  [00:00] starting the restore',
      '  [01:00] restoring',
      '  [14:00] adding an instance and a managed password',
      '  [20:00] validating',
      '  [21:00] reporting',
      '  [21:00] deleting the copy',
      'Drill succeeded in 00:15: RTO 1260 s, RPO 30 s',
    ]);
  });

  test('a failed drill exits non-zero with the reason from its report', async () => {
    const failedState = { ...DRILL_STATE, validation: { ...DRILL_STATE.validation, passed: false, checks: [{ name: 'table orders', passed: false, message: 'table orders does not exist' }] } };
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [entered('Validate', 20), entered('Report', 21, failedState)] });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: 'DrillFailed' });

    await expect(run('drill', 'run', '--wait')).resolves.toBe(1);
    expect(err).toEqual(['shipshape: Drill failed: table orders: table orders does not exist']);
  });

  test('a drill that timed out before reporting exits non-zero with the execution error', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [entered('CheckRestore', 5)] });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'TIMED_OUT', error: 'States.Timeout', cause: 'Execution timed out' });

    await expect(run('drill', 'run', '--wait')).resolves.toBe(1);
    expect(err).toEqual(['shipshape: Drill timed out: States.Timeout: Execution timed out']);
  });

  test('a drill already running is refused, and none is started', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: 'x', stateMachineArn: SM, name: 'weekly-7', status: 'RUNNING', startDate: new Date('2026-11-25T09:50:00Z') }] });
    await expect(run('drill', 'run')).resolves.toBe(1);
    expect(err).toEqual(['shipshape: A drill is already running: weekly-7 since 2026-11-25T09:50:00.000Z. Wait for it, or follow it with `shipshape drill status`.']);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  test('a stack that does not exist says so and how to point at another', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id shop-stateful does not exist'), { name: 'ValidationError' }));
    await expect(run('drill', 'run', '--stack', 'shop-stateful')).resolves.toBe(1);
    expect(err).toEqual(['shipshape: Stack shop-stateful not found in this account and region: deploy it, or name another with --stack.']);
  });

  test('a stack without a drill says so', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'other', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }] });
    await expect(run('drill', 'run', '--stack', 'other')).resolves.toBe(1);
    expect(err[0]).toMatch(/Stack other has no restore drill \(output RestoreDrillStateMachineArn\)/);
  });

  test('no credentials: exit 2 with what to do', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    await expect(run('drill', 'run')).resolves.toBe(2);
    expect(err).toEqual(['shipshape: No AWS credentials found: set AWS_PROFILE (or run `aws sso login`) and AWS_REGION, then try again.']);
  });
});

test('no region: exit 2 with what to do', async () => {
  cfn.on(DescribeStacksCommand).rejects(new Error('Region is missing'));
  await expect(run('drill', 'status')).resolves.toBe(2);
  expect(err).toEqual(['shipshape: No AWS region: set AWS_REGION (or use a profile that has one), then try again.']);
});

describe('shipshape drill status', () => {
  /** The part of the SDK's streaming body the CLI reads. */
  function body(report: unknown): GetObjectCommandOutput['Body'] {
    return { transformToString: () => Promise.resolve(JSON.stringify(report)) } as unknown as GetObjectCommandOutput['Body'];
  }

  test('lists the last N drills, newest first, with outcome, RTO, RPO and checks', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [
      { Key: 'drills/shop-db/a.json', LastModified: new Date('2026-11-15T07:00:00Z') },
      { Key: 'drills/shop-db/b.json', LastModified: new Date('2026-11-22T07:00:00Z') },
      { Key: 'drills/shop-db/old.json', LastModified: new Date('2026-11-08T07:00:00Z') },
    ] });
    s3.on(GetObjectCommand, { Key: 'drills/shop-db/b.json' }).resolves({ Body: body({ startedAt: '2026-11-22T06:00:00Z', database: 'shop-db', outcome: 'succeeded', rtoSeconds: 1320, rpoSeconds: 45, checks: [{ name: 'connectivity', passed: true, message: '' }] }) });
    s3.on(GetObjectCommand, { Key: 'drills/shop-db/a.json' }).resolves({ Body: body({ startedAt: '2026-11-15T06:00:00Z', database: 'shop-db', outcome: 'failed', reason: 'DrillTimeout: not ready', checks: [] }) });

    await expect(run('drill', 'status', '--last', '2')).resolves.toBe(0);
    expect(out).toEqual([
      '2026-11-22T06:00:00Z  shop-db  SUCCEEDED  RTO 1320 s  RPO 45 s  [ok connectivity]',
      '2026-11-15T06:00:00Z  shop-db  FAILED     DrillTimeout: not ready',
    ]);
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 2);
  });

  test('--json prints the reports as they are stored', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'drills/x.json', LastModified: new Date() }] });
    s3.on(GetObjectCommand).resolves({ Body: body({ outcome: 'succeeded', rtoSeconds: 1, checks: [] }) });
    await expect(run('drill', 'status', '--json')).resolves.toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual([{ outcome: 'succeeded', rtoSeconds: 1, checks: [] }]);
  });

  test('a bad --last is refused with the allowed range', async () => {
    await expect(run('drill', 'status', '--last', 'many')).resolves.toBe(2);
    expect(err).toEqual(['shipshape: --last: a whole number from 1 to 100 (got many)']);
  });
});

test('an unknown subcommand exits 2 and names it and the ones there are', async () => {
  await expect(run('drill', 'explode')).resolves.toBe(2);
  expect(err).toEqual(['shipshape: drill: unknown subcommand "explode"; one of run | status']);
});
