import { type FilteredLogEvent, paginateFilterLogEvents } from '@aws-sdk/client-cloudwatch-logs';
import { SERVICE_OUTPUTS } from '../stacks/outputs';
import { type CliContext, CliError } from './cli-context';
import { type CliCommand, JSON_OPTION, stackOption } from './command';
import { requireOutput, stackOutputs } from './stack-outputs';

export interface LogsOptions {
  readonly stack: string;
  /** A log group to read instead of the stack's service log group. */
  readonly logGroup?: string;
  /** `10m`, `2h`, `1d`, `30s`, or an ISO 8601 time. */
  readonly since: string;
  /** Only events that contain this text (a correlation id, a request id). */
  readonly filter?: string;
  readonly follow: boolean;
  readonly json: boolean;
  /** Between polls while following. @default 5 s */
  readonly pollMs?: number;
  /** Stop following after this many polls (tests). @default - until interrupted */
  readonly maxPolls?: number;
  readonly err: (line: string) => void;
}

/** Events printed at most without --follow; narrow with --since or --filter beyond it. */
export const MAX_EVENTS = 10_000;
const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since` as epoch milliseconds: a duration back from now, or a time. */
export function parseSince(since: string, now: Date): number {
  const duration = /^(\d+)([smhd])$/.exec(since);
  if (duration) return now.getTime() - Number(duration[1]) * UNITS[duration[2]];
  const time = /^\d{4}-\d{2}-\d{2}/.test(since) ? Date.parse(since) : Number.NaN;
  if (Number.isNaN(time)) throw new CliError(`--since: a duration such as 10m, 2h or 1d, or an ISO time such as 2026-12-01T22:00:00Z (got ${since})`, 2);
  return time;
}

/**
 * The filter pattern for events that contain `text`: a quoted term matches it exactly, whatever characters it holds, in
 * JSON and plain text events alike (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html).
 */
export function containsPattern(text: string): string {
  if (text.trim() === '' || /["\\]/.test(text)) throw new CliError(`--filter: text to find in the events, without double quotes or backslashes (got ${JSON.stringify(text)})`, 2);
  return `"${text}"`;
}

function print(ctx: CliContext, options: LogsOptions, e: FilteredLogEvent): void {
  const time = new Date(e.timestamp ?? 0).toISOString();
  if (options.json) {
    ctx.out(JSON.stringify({ timestamp: time, stream: e.logStreamName, message: e.message?.trimEnd() }));
    return;
  }
  // awslogs streams are prefix/container/task-id: the task id tells tasks apart.
  const task = e.logStreamName?.split('/').pop()?.slice(0, 8) ?? '-';
  ctx.out(`${time}  ${task}  ${e.message?.trimEnd() ?? ''}`);
}

/**
 * `shipshape logs`: the service's log events since `--since` (all streams, oldest first), optionally only those
 * containing `--filter`, and with `--follow` new ones as they arrive (FilterLogEvents polled from the newest event
 * seen; events are told apart by id). Read-only.
 */
export async function showLogs(ctx: CliContext, options: LogsOptions): Promise<void> {
  let startTime = parseSince(options.since, ctx.now());
  const filterPattern = options.filter === undefined ? undefined : containsPattern(options.filter);
  const logGroupName = options.logGroup ?? requireOutput(await stackOutputs(ctx, options.stack), SERVICE_OUTPUTS.logGroup, options.stack, 'service log group');
  let seen = new Set<string>();
  let printed = 0;
  for (let poll = 1; ; poll++) {
    const events: FilteredLogEvent[] = [];
    let truncated = false;
    try {
      for await (const page of paginateFilterLogEvents({ client: ctx.logs }, { logGroupName, startTime, filterPattern })) {
        events.push(...(page.events ?? []).filter((e) => !seen.has(e.eventId ?? '')));
        if (!options.follow && events.length >= MAX_EVENTS) {
          truncated = true;
          break;
        }
      }
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') {
        throw new CliError(`Log group ${logGroupName} not found in this account and region${options.logGroup ? '' : `: is stack ${options.stack} deployed here?`}`);
      }
      throw error;
    }
    events.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
    const shown = events.slice(0, options.follow ? undefined : MAX_EVENTS);
    for (const e of shown) print(ctx, options, e);
    printed += shown.length;
    if (truncated) options.err(`Stopped at ${MAX_EVENTS} events: narrow the window with --since or --filter.`);
    if (!options.follow) {
      if (printed === 0) options.err(`No events in ${logGroupName} since ${new Date(startTime).toISOString()}${options.filter ? ` containing "${options.filter}"` : ''}.`);
      return;
    }
    // The next poll starts at the newest event seen; events at that same millisecond are skipped by id.
    const newest = shown.reduce((max, e) => Math.max(max, e.timestamp ?? 0), startTime);
    const atNewest = shown.filter((e) => e.timestamp === newest && e.eventId).map((e) => e.eventId as string);
    seen = newest === startTime ? new Set([...seen, ...atNewest]) : new Set(atNewest);
    startTime = newest;
    if (options.maxPolls !== undefined && poll >= options.maxPolls) return;
    await ctx.sleep(options.pollMs ?? 5_000);
  }
}

export const logsCommand: CliCommand = {
  name: 'logs',
  summary: "the service's recent or live logs, filterable by correlation id",
  description:
    "Prints the service's log events (every task, oldest first) from the log group the stateless stack creates:\n" +
    `those since --since (default 10m), at most ${MAX_EVENTS}; with --follow, new events as they arrive until Ctrl-C.\n` +
    '--filter keeps the events that contain the text, e.g. the correlation id of one request. Read-only.\n' +
    'With --json, each event is one JSON line: {"timestamp", "stream", "message"}.',
  options: {
    stack: stackOption('stateless'),
    since: { type: 'string', value: 'T', description: 'from when: 10m, 2h, 1d, 30s or an ISO time (default: 10m)' },
    filter: { type: 'string', value: 'TEXT', description: 'only events containing TEXT, e.g. a correlation id' },
    follow: { type: 'boolean', short: 'f', description: 'keep printing new events (polls every 5 s) until interrupted' },
    'log-group': { type: 'string', value: 'NAME', description: "a log group to read instead of the stack's service log group" },
    json: JSON_OPTION,
  },
  examples: ['shipshape logs --since 1h --filter 7f3c2a9e-1b2d-4c5e-9f00-1234567890ab', 'shipshape logs -f'],
  exitCodes: {
    0: 'printed (no events in the window is not an error)',
    1: 'the stack or log group is missing, or AWS refused or throttled a call (the message names it)',
    2: 'bad usage (e.g. a bad --since), or no AWS credentials/region',
  },
  run: async (values, io) => {
    await showLogs(io.ctx, {
      stack: (values.stack as string | undefined) ?? io.defaultStack('stateless'),
      logGroup: values['log-group'] as string | undefined,
      since: (values.since as string | undefined) ?? '10m',
      filter: values.filter as string | undefined,
      follow: values.follow === true,
      json: values.json === true,
      err: io.err,
    });
  },
};
