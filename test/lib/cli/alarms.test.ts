import { CloudFormationClient, ListStackResourcesCommand, type ListStackResourcesCommandInput, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, type DescribeAlarmsCommandInput, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { main } from '../../../lib/cli';
import { testCliContext } from '../../helpers/cli';

const cfn = mockClient(CloudFormationClient);
const cloudwatch = mockClient(CloudWatchClient);
let out: string[];
let err: string[];
const run = (...args: string[]) => main(args, testCliContext('2026-12-02T04:00:00Z', out), (line) => err.push(line));

const alarmResource = (name: string, type = 'AWS::CloudWatch::Alarm'): StackResourceSummary => ({
  LogicalResourceId: name.replace(/\W/g, ''),
  PhysicalResourceId: name,
  ResourceType: type,
  ResourceStatus: 'CREATE_COMPLETE',
  LastUpdatedTimestamp: new Date(),
});
const other = (id: string): StackResourceSummary => ({ LogicalResourceId: id, PhysicalResourceId: id, ResourceType: 'AWS::SNS::Topic', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() });

/** Stacks as CloudFormation lists them: each a list of pages (NextToken between them); an unknown stack fails as CloudFormation does. */
function stacks(pages: Record<string, StackResourceSummary[][]>): void {
  cfn.on(ListStackResourcesCommand).callsFake((input: ListStackResourcesCommandInput) => {
    const stack = pages[input.StackName as string];
    if (!stack) return Promise.reject(Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), { name: 'ValidationError' }));
    const index = input.NextToken ? Number(input.NextToken) : 0;
    return Promise.resolve({ StackResourceSummaries: stack[index], NextToken: index + 1 < stack.length ? String(index + 1) : undefined });
  });
}

/** CloudWatch as DescribeAlarms answers: only the names asked for, metric alarms unless AlarmTypes asks for composites, `pageSize` a page. */
function cloudWatchHas(alarms: Array<MetricAlarm & { composite?: boolean }>, pageSize = 2): void {
  cloudwatch.on(DescribeAlarmsCommand).callsFake((input: DescribeAlarmsCommandInput) => {
    if ((input.AlarmNames?.length ?? 0) > 100) return Promise.reject(Object.assign(new Error('AlarmNames: at most 100'), { name: 'ValidationError' }));
    const types = input.AlarmTypes ?? ['MetricAlarm'];
    const matching = alarms.filter((a) => input.AlarmNames?.includes(a.AlarmName as string) && types.includes(a.composite ? 'CompositeAlarm' : 'MetricAlarm'));
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const page = matching.slice(start, start + pageSize);
    return Promise.resolve({
      MetricAlarms: page.filter((a) => !a.composite),
      CompositeAlarms: page.filter((a) => a.composite),
      NextToken: start + pageSize < matching.length ? String(start + pageSize) : undefined,
    });
  });
}

const alarm = (name: string, state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', at: string, extra: Partial<MetricAlarm> & { composite?: boolean } = {}) => ({
  AlarmName: name,
  StateValue: state,
  StateReason: `reason of ${name}`,
  StateUpdatedTimestamp: new Date(at),
  ActionsEnabled: true,
  ...extra,
});

beforeEach(() => {
  cfn.reset();
  cloudwatch.reset();
  out = [];
  err = [];
});

test("lists every alarm of both stacks, across pages of resources and alarms, ALARM first, composites included", async () => {
  stacks({
    'shipshape-stateful': [[alarmResource('drill-failed'), other('Topic')]],
    'shipshape-stateless': [
      [alarmResource('shipshape-stateless-p99-latency'), other('Key')],
      [alarmResource('shipshape-stateless-alb-5xx-rate'), alarmResource('shipshape-stateless-service-unhealthy', 'AWS::CloudWatch::CompositeAlarm')],
    ],
  });
  cloudWatchHas([
    alarm('drill-failed', 'OK', '2026-12-01T06:00:00Z'),
    alarm('shipshape-stateless-p99-latency', 'INSUFFICIENT_DATA', '2026-12-02T01:00:00Z'),
    alarm('shipshape-stateless-alb-5xx-rate', 'ALARM', '2026-12-02T03:50:00Z'),
    alarm('shipshape-stateless-service-unhealthy', 'ALARM', '2026-12-02T03:51:00Z', { composite: true, ActionsEnabled: false }),
    alarm('someone-elses-alarm', 'ALARM', '2026-12-02T03:00:00Z'),
  ]);
  await expect(run('alarms')).resolves.toBe(0);
  expect(out[0]).toBe('4 alarms in shipshape-stateful, shipshape-stateless: 2 ALARM, 1 INSUFFICIENT_DATA, 1 OK');
  expect(out.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
    ['ALARM', 'shipshape-stateless-service-unhealthy'],
    ['ALARM', 'shipshape-stateless-alb-5xx-rate'],
    ['INSUFFICIENT_DATA', 'shipshape-stateless-p99-latency'],
    ['OK', 'drill-failed'],
  ]);
  expect(out[1]).toMatch(/2026-12-02T03:51:00.000Z {2}reason of shipshape-stateless-service-unhealthy {2}\(actions disabled\)$/);
  expect(cfn).toHaveReceivedCommandTimes(ListStackResourcesCommand, 3);
  expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
  expect(cloudwatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 2);
});

test('--json: every alarm with its stack, type, state, since and reason, and the counts', async () => {
  stacks({ a: [[alarmResource('x-cpu')]], b: [[alarmResource('x-unhealthy', 'AWS::CloudWatch::CompositeAlarm')]] });
  cloudWatchHas([alarm('x-cpu', 'OK', '2026-12-01T00:00:00Z'), alarm('x-unhealthy', 'ALARM', '2026-12-02T00:00:00Z', { composite: true })]);
  await expect(run('alarms', '--stack', 'a', '--stack', 'b', '--json')).resolves.toBe(0);
  expect(JSON.parse(out.join('\n'))).toEqual({
    stacks: ['a', 'b'],
    counts: { ALARM: 1, MISSING: 0, INSUFFICIENT_DATA: 0, OK: 1 },
    alarms: [
      { name: 'x-unhealthy', stack: 'b', type: 'composite', state: 'ALARM', since: '2026-12-02T00:00:00.000Z', reason: 'reason of x-unhealthy', actionsEnabled: true },
      { name: 'x-cpu', stack: 'a', type: 'metric', state: 'OK', since: '2026-12-01T00:00:00.000Z', reason: 'reason of x-cpu', actionsEnabled: true },
    ],
  });
});

test('more than 100 alarms are asked for in batches of 100 names', async () => {
  const names = Array.from({ length: 130 }, (_, i) => `app-alarm-${i}`);
  stacks({ app: [names.map((n) => alarmResource(n))] });
  cloudWatchHas(names.map((n) => alarm(n, 'OK', '2026-12-01T00:00:00Z')), 100);
  await expect(run('alarms', '--stack', 'app')).resolves.toBe(0);
  expect(out[0]).toMatch(/^130 alarms in app: 0 ALARM, 0 INSUFFICIENT_DATA, 130 OK$/);
  expect(cloudwatch.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input.AlarmNames?.length)).toEqual([100, 30]);
});

test('an alarm the stack lists and CloudWatch does not have is shown as MISSING, after ALARM', async () => {
  stacks({ app: [[alarmResource('gone'), alarmResource('firing')]] });
  cloudWatchHas([alarm('firing', 'ALARM', '2026-12-01T00:00:00Z')]);
  await expect(run('alarms', '--stack', 'app')).resolves.toBe(0);
  expect(out.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([['ALARM', 'firing'], ['MISSING', 'gone']]);
});

test('a stack without alarms says so, and asks CloudWatch nothing', async () => {
  stacks({ app: [[other('Topic')]] });
  await expect(run('alarms', '--stack', 'app')).resolves.toBe(0);
  expect(out).toEqual(['No alarms in app.']);
  expect(cloudwatch).not.toHaveReceivedCommand(DescribeAlarmsCommand);
});

test('a missing stack: exit 1 naming it and --stack', async () => {
  stacks({ 'shipshape-stateless': [[]] });
  await expect(run('alarms')).resolves.toBe(1);
  expect(err).toEqual(["shipshape: Stack shipshape-stateful not found in this account and region: deploy it, or name the app's stacks with --stack."]);
});

test('AccessDenied on DescribeAlarms: exit 1 with what AWS said and what the credentials need', async () => {
  stacks({ app: [[alarmResource('x')]] });
  cloudwatch.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('User: arn:aws:sts::111111111111:assumed-role/dev/me is not authorized to perform: cloudwatch:DescribeAlarms'), { name: 'AccessDenied' }));
  await expect(run('alarms', '--stack', 'app')).resolves.toBe(1);
  expect(err).toEqual([expect.stringMatching(/^shipshape: AWS refused the call \(AccessDenied\): User: .* is not authorized to perform: cloudwatch:DescribeAlarms Use credentials whose role allows it/) as unknown]);
  expect(out).toEqual([]);
});

test('throttling that outlasts the SDK retries: exit 1, try again later', async () => {
  cfn.on(ListStackResourcesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
  await expect(run('alarms', '--stack', 'app')).resolves.toBe(1);
  expect(err).toEqual(["shipshape: AWS throttled the calls (Throttling) after the SDK's retries: try again in a minute."]);
});
