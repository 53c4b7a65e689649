import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { DrillState } from '../../constructs/restore-drill/runtime/drill-state';
import { buildReport, type DrillReport } from '../../constructs/restore-drill/runtime/report';
import { DRILL_OUTPUTS } from '../stacks/outputs';
import { type CliContext, CliError } from './cli-context';
import { type CliCommand, JSON_OPTION, LAST_OPTION, lastOf, stackOption } from './command';
import { requireOutput, stackOutputs } from './stack-outputs';

export interface DrillRunOptions {
  readonly stack: string;
  readonly wait: boolean;
  readonly json: boolean;
  /** Between polls of the execution history. */
  readonly pollMs?: number;
}

const STEP_LABELS: Record<string, string> = {
  PickSource: 'picking the backup',
  StartRestore: 'starting the restore',
  CheckRestore: 'restoring',
  PrepareAccess: 'adding an instance and a managed password',
  CheckAccess: 'waiting for the copy',
  Validate: 'validating',
  Report: 'reporting',
  Cleanup: 'deleting the copy',
};

function elapsed(from: Date, to: Date): string {
  const s = Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * `shipshape drill run`: starts the drill the schedule runs (same state machine, same code),
 * refusing when one is already running; with --wait, prints each step with its elapsed time and
 * exits non-zero with the reason when the drill fails.
 */
export async function drillRun(ctx: CliContext, options: DrillRunOptions): Promise<DrillReport | undefined> {
  const stateMachineArn = requireOutput(await stackOutputs(ctx, options.stack), DRILL_OUTPUTS.stateMachine, options.stack, 'restore drill');
  const running = await ctx.sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 1 }));
  const current = running.executions?.[0];
  if (current) {
    throw new CliError(`A drill is already running: ${current.name} since ${current.startDate?.toISOString()}. Wait for it, or follow it with \`shipshape drill status\`.`);
  }
  const name = `manual-${ctx.now().toISOString().replace(/[:.]/g, '-')}`;
  const started = await ctx.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: '{}' }));
  const executionArn = started.executionArn as string;
  const startedAt = started.startDate ?? ctx.now();
  if (!options.json) ctx.out(`Started restore drill ${name}`);
  if (!options.wait) {
    if (options.json) ctx.out(JSON.stringify({ executionArn, name, status: 'RUNNING' }));
    return undefined;
  }
  const { status, reportInput } = await follow(ctx, executionArn, startedAt, options);
  const report = reportInput ? buildReport(reportInput) : undefined;
  if (options.json) ctx.out(JSON.stringify({ executionArn, name, status, report }, null, 2));
  if (status === 'SUCCEEDED') {
    if (!options.json) ctx.out(`Drill succeeded in ${elapsed(startedAt, ctx.now())}: RTO ${report?.rtoSeconds ?? '?'} s, RPO ${report?.rpoSeconds ?? 'not measured'} s`);
    return report;
  }
  const reason = report?.reason ?? (await executionFailure(ctx, executionArn));
  throw new CliError(`Drill ${status.toLowerCase().replace('_', ' ')}: ${reason}`);
}

async function executionFailure(ctx: CliContext, executionArn: string): Promise<string> {
  const execution = await ctx.sfn.send(new DescribeExecutionCommand({ executionArn }));
  return [execution.error, execution.cause].filter(Boolean).join(': ') || 'no reason recorded';
}

/** Prints each entered step until the execution ends; returns the state the Report step saw. */
async function follow(ctx: CliContext, executionArn: string, startedAt: Date, options: DrillRunOptions) {
  let token: string | undefined;
  let reportInput: DrillState | undefined;
  let lastStep = '';
  for (;;) {
    const page = await ctx.sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken: token, maxResults: 100 }));
    for (const event of page.events ?? []) {
      reportInput = reportInputOf(event) ?? reportInput;
      const entered = event.stateEnteredEventDetails?.name;
      const label = entered ? STEP_LABELS[entered] : undefined;
      if (label && label !== lastStep && !options.json) {
        ctx.out(`  [${elapsed(startedAt, event.timestamp ?? ctx.now())}] ${label}`);
        lastStep = label;
      }
    }
    token = page.nextToken;
    if (token) continue;
    const execution = await ctx.sfn.send(new DescribeExecutionCommand({ executionArn }));
    const status = execution.status as ExecutionStatus;
    if (status !== 'RUNNING' && status !== 'PENDING_REDRIVE') {
      return { status, reportInput };
    }
    await ctx.sleep(options.pollMs ?? 15_000);
  }
}

function reportInputOf(event: HistoryEvent): DrillState | undefined {
  const details = event.stateEnteredEventDetails;
  if (details?.name !== 'Report' || !details.input) return undefined;
  return JSON.parse(details.input) as DrillState;
}

export interface DrillStatusOptions {
  readonly stack: string;
  readonly last: number;
  readonly json: boolean;
}

/** `shipshape drill status`: the last drills' outcomes, RTO, RPO and checks, from their reports. */
export async function drillStatus(ctx: CliContext, options: DrillStatusOptions): Promise<DrillReport[]> {
  const bucket = requireOutput(await stackOutputs(ctx, options.stack), DRILL_OUTPUTS.reportBucket, options.stack, 'restore drill reports');
  const keys: { key: string; modified: number }[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'drills/', ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) keys.push({ key: o.Key, modified: o.LastModified?.getTime() ?? 0 });
    token = page.NextContinuationToken;
  } while (token);
  const newest = keys.sort((a, b) => b.modified - a.modified).slice(0, options.last);
  const reports: DrillReport[] = [];
  for (const { key } of newest) {
    const object = await ctx.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    reports.push(JSON.parse((await object.Body?.transformToString()) ?? '{}') as DrillReport);
  }
  if (options.json) {
    ctx.out(JSON.stringify(reports, null, 2));
  } else if (reports.length === 0) {
    ctx.out('No drill has reported yet: run `shipshape drill run --wait`.');
  } else {
    for (const r of reports) {
      const figures = r.outcome === 'succeeded' ? `RTO ${r.rtoSeconds} s  RPO ${r.rpoSeconds ?? '-'} s` : r.reason ?? '';
      const checks = r.checks.map((c) => `${c.passed ? 'ok' : 'FAIL'} ${c.name}`).join(', ');
      ctx.out(`${r.startedAt}  ${r.database}  ${r.outcome.toUpperCase().padEnd(9)}  ${figures}${checks ? `  [${checks}]` : ''}`);
    }
  }
  return reports;
}

const DRILL_EXIT_2 = 'bad usage, or no AWS credentials/region';

export const drillRunCommand: CliCommand = {
  name: 'drill run',
  summary: 'start a restore drill now (and follow it with --wait)',
  description:
    'Starts the restore drill the weekly schedule runs (same state machine, same code): it restores the latest backup into a\n' +
    'temporary copy, checks it, reports RTO and RPO, and deletes the copy. Refuses when a drill is already running.',
  options: { stack: stackOption('stateful'), wait: { type: 'boolean', description: 'follow each step until the drill ends' }, json: JSON_OPTION },
  examples: ['shipshape drill run --wait', 'shipshape drill run --stack payments-stateful --json'],
  exitCodes: { 0: 'the drill started (with --wait: it succeeded)', 1: 'a drill is already running, the stack has no drill, or (with --wait) the drill failed', 2: DRILL_EXIT_2 },
  run: async (values, io) => {
    await drillRun(io.ctx, { stack: (values.stack as string | undefined) ?? io.defaultStack('stateful'), wait: values.wait === true, json: values.json === true });
  },
};

export const drillStatusCommand: CliCommand = {
  name: 'drill status',
  summary: 'the last drills: outcome, RTO, RPO, checks',
  description: 'Lists the last drills, newest first, from the reports they stored: outcome, RTO, RPO and each check.',
  options: { stack: stackOption('stateful'), last: LAST_OPTION, json: JSON_OPTION },
  examples: ['shipshape drill status --last 3'],
  exitCodes: { 0: 'the reports were listed (none yet is not an error)', 1: 'the stack or its report bucket cannot be read', 2: `${DRILL_EXIT_2}, or a bad --last` },
  run: async (values, io) => {
    await drillStatus(io.ctx, { stack: (values.stack as string | undefined) ?? io.defaultStack('stateful'), last: lastOf(values), json: values.json === true });
  },
};
