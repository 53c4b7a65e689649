import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, FilterLogEventsCommand, type FilterLogEventsCommandInput, type FilteredLogEvent, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { main } from '../../../lib/cli';
import { showLogs } from '../../../lib/cli/logs';
import { testCliContext } from '../../helpers/cli';

const NOW = '2026-12-02T04:00:00Z';
const GROUP = 'shipshape-stateless-ServiceLogs1234';
const cfn = mockClient(CloudFormationClient);
const logs = mockClient(CloudWatchLogsClient);
let out: string[];
let err: string[];
/** The startTime of each search (its first page), as FilterLogEvents received them. */
let searches: string[];
const run = (...args: string[]) => main(args, testCliContext(NOW, out), (line) => err.push(line));

function outputs(): void {
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'shipshape-stateless', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [{ OutputKey: 'ServiceLogGroupName', OutputValue: GROUP }] }],
  });
}

const event = (id: string, at: string, message: string, task = 'a1b2c3d4e5f6'): FilteredLogEvent => ({
  eventId: id,
  timestamp: Date.parse(at),
  message,
  logStreamName: `app/app/${task}`,
});

/**
 * A log group as FilterLogEvents serves it: events at or after startTime that contain the quoted term of the filter
 * pattern, `pageSize` a page (with an empty page in between, as a search in progress returns). `group` is the live list.
 */
function logGroup(group: FilteredLogEvent[], pageSize = 2): void {
  searches = [];
  logs.on(FilterLogEventsCommand).callsFake((input: FilterLogEventsCommandInput) => {
    if (!input.nextToken) searches.push(new Date(input.startTime ?? 0).toISOString());
    if (input.logGroupName !== GROUP) return Promise.reject(new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: {} }));
    const term = input.filterPattern ? JSON.parse(input.filterPattern) as string : undefined;
    const matching = group.filter((e) => (e.timestamp ?? 0) >= (input.startTime ?? 0) && (term === undefined || e.message?.includes(term)));
    const token = input.nextToken ? JSON.parse(input.nextToken) as { at: number; empty: boolean } : { at: 0, empty: false };
    if (token.empty) return Promise.resolve({ events: [], nextToken: JSON.stringify({ at: token.at, empty: false }) });
    const page = matching.slice(token.at, token.at + pageSize);
    const next = token.at + pageSize < matching.length ? JSON.stringify({ at: token.at + pageSize, empty: true }) : undefined;
    return Promise.resolve({ events: page, nextToken: next });
  });
}

beforeEach(() => {
  cfn.reset();
  logs.reset();
  out = [];
  err = [];
  outputs();
});

test('the last 10 minutes by default, every page, oldest first, with the task each line came from', async () => {
  logGroup([
    event('1', '2026-12-02T03:40:00Z', 'too old'),
    event('2', '2026-12-02T03:51:00Z', '{"level":"INFO","message":"started"}\n'),
    event('3', '2026-12-02T03:52:00Z', 'GET /health 200', 'ffff0000aaaa'),
    event('4', '2026-12-02T03:59:00Z', 'GET /orders 500'),
  ]);
  await expect(run('logs')).resolves.toBe(0);
  expect(logs).toHaveReceivedCommandWith(FilterLogEventsCommand, { logGroupName: GROUP, startTime: Date.parse('2026-12-02T03:50:00Z') });
  expect(out).toEqual([
    '2026-12-02T03:51:00.000Z  a1b2c3d4  {"level":"INFO","message":"started"}',
    '2026-12-02T03:52:00.000Z  ffff0000  GET /health 200',
    '2026-12-02T03:59:00.000Z  a1b2c3d4  GET /orders 500',
  ]);
  expect(err).toEqual([]);
});

test('--filter keeps the events containing a correlation id, as a quoted filter pattern; --since takes hours or a time', async () => {
  const id = '7f3c2a9e-1b2d-4c5e-9f00-1234567890ab';
  logGroup([
    event('1', '2026-12-02T02:30:00Z', `{"correlation_id":"${id}","message":"charge failed"}`),
    event('2', '2026-12-02T02:31:00Z', '{"correlation_id":"other","message":"ok"}'),
  ]);
  await expect(run('logs', '--since', '2h', '--filter', id)).resolves.toBe(0);
  expect(logs).toHaveReceivedCommandWith(FilterLogEventsCommand, { filterPattern: `"${id}"`, startTime: Date.parse('2026-12-02T02:00:00Z') });
  expect(out).toEqual([`2026-12-02T02:30:00.000Z  a1b2c3d4  {"correlation_id":"${id}","message":"charge failed"}`]);
  out = [];
  await expect(run('logs', '--since', '2026-12-02T02:31:00Z')).resolves.toBe(0);
  expect(out).toHaveLength(1);
});

test('--json prints one JSON object per event', async () => {
  logGroup([event('1', '2026-12-02T03:55:00Z', 'hello\n')]);
  await expect(run('logs', '--json')).resolves.toBe(0);
  expect(out.map((l) => JSON.parse(l) as unknown)).toEqual([{ timestamp: '2026-12-02T03:55:00.000Z', stream: 'app/app/a1b2c3d4e5f6', message: 'hello' }]);
});

test('no events in the window: says so on stderr, exit 0', async () => {
  logGroup([]);
  await expect(run('logs', '--filter', 'abc')).resolves.toBe(0);
  expect(out).toEqual([]);
  expect(err).toEqual([`No events in ${GROUP} since 2026-12-02T03:50:00.000Z containing "abc".`]);
});

test('--follow prints new events as they arrive, each once, also those at the same millisecond as the last one seen', async () => {
  const group = [event('1', '2026-12-02T03:59:00Z', 'first')];
  logGroup(group);
  const ctx = testCliContext(NOW, out);
  let polls = 0;
  const sleep = ctx.sleep;
  const following = showLogs(
    {
      ...ctx,
      sleep: (ms) => {
        polls += 1;
        if (polls === 1) group.push(event('2', '2026-12-02T03:59:00Z', 'same millisecond'), event('3', '2026-12-02T04:00:05Z', 'later'));
        if (polls === 2) group.push(event('4', '2026-12-02T04:00:09Z', 'latest'));
        return sleep(ms);
      },
    },
    { stack: 'shipshape-stateless', since: '10m', follow: true, json: false, maxPolls: 3, err: (l) => err.push(l) },
  );
  await following;
  expect(out.map((l) => l.split('  ')[2])).toEqual(['first', 'same millisecond', 'later', 'latest']);
  expect(searches).toEqual(['2026-12-02T03:50:00.000Z', '2026-12-02T03:59:00.000Z', '2026-12-02T04:00:05.000Z']);
});

test('a log group that does not exist: exit 1 naming it and the stack', async () => {
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'shipshape-stateless', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [{ OutputKey: 'ServiceLogGroupName', OutputValue: 'deleted-group' }] }],
  });
  logGroup([]);
  await expect(run('logs')).resolves.toBe(1);
  expect(err).toEqual(['shipshape: Log group deleted-group not found in this account and region: is stack shipshape-stateless deployed here?']);
});

test('a stack deployed before the log group output: exit 1, deploy this version or name the group', async () => {
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'old', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [] }] });
  await expect(run('logs', '--stack', 'old')).resolves.toBe(1);
  expect(err[0]).toMatch(/Stack old has no service log group \(output ServiceLogGroupName\)/);
  expect(logs).not.toHaveReceivedCommand(FilterLogEventsCommand);
});

test('--log-group reads that group without the stack', async () => {
  logGroup([event('1', '2026-12-02T03:55:00Z', 'x')]);
  await expect(run('logs', '--log-group', GROUP)).resolves.toBe(0);
  expect(cfn).not.toHaveReceivedCommand(DescribeStacksCommand);
  expect(out).toHaveLength(1);
});

test('a missing stack: exit 1 naming it', async () => {
  cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id payments-stateless does not exist'), { name: 'ValidationError' }));
  await expect(run('logs', '--stack', 'payments-stateless')).resolves.toBe(1);
  expect(err).toEqual(['shipshape: Stack payments-stateless not found in this account and region: deploy it, or name another with --stack.']);
});

test.each([
  ['AccessDeniedException', /^shipshape: AWS refused the call \(AccessDeniedException\): not authorized to perform: logs:FilterLogEvents/],
  ['ThrottlingException', /^shipshape: AWS throttled the calls \(ThrottlingException\)/],
])('%s from FilterLogEvents: exit 1 with what to do', async (name, message) => {
  logs.on(FilterLogEventsCommand).rejects(Object.assign(new Error('not authorized to perform: logs:FilterLogEvents'), { name }));
  await expect(run('logs')).resolves.toBe(1);
  expect(err[0]).toMatch(message);
});
