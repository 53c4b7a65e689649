import { paginateListStackResources } from '@aws-sdk/client-cloudformation';
import { paginateDescribeAlarms, type StateValue } from '@aws-sdk/client-cloudwatch';
import { type CliContext, CliError } from './cli-context';
import { type CliCommand, JSON_OPTION } from './command';

export interface AlarmsOptions {
  /** The app's stacks; every alarm their templates create is listed. */
  readonly stacks: readonly string[];
  readonly json: boolean;
}

/** One alarm as `shipshape alarms` shows it. */
export interface AlarmLine {
  readonly name: string;
  readonly stack: string;
  readonly type: 'metric' | 'composite';
  /** `MISSING`: the stack lists it, CloudWatch does not (deleted by hand?). */
  readonly state: StateValue | 'MISSING';
  readonly since?: string;
  readonly reason?: string;
  readonly actionsEnabled?: boolean;
}

const ALARM_TYPES = { 'AWS::CloudWatch::Alarm': 'metric', 'AWS::CloudWatch::CompositeAlarm': 'composite' } as const;
const ORDER: Record<AlarmLine['state'], number> = { ALARM: 0, MISSING: 1, INSUFFICIENT_DATA: 2, OK: 3 };
/** DescribeAlarms takes at most 100 names a call (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html). */
const NAMES_PER_CALL = 100;

/**
 * The alarms the stacks' templates create, by name: their CloudFormation resources, whose physical id is the alarm
 * name. This finds named and unnamed alarms alike, and none that another tool created with a similar name.
 */
async function stackAlarms(ctx: CliContext, stack: string): Promise<Array<{ name: string; type: AlarmLine['type'] }>> {
  const found: Array<{ name: string; type: AlarmLine['type'] }> = [];
  try {
    for await (const page of paginateListStackResources({ client: ctx.cloudformation }, { StackName: stack })) {
      for (const r of page.StackResourceSummaries ?? []) {
        const type = ALARM_TYPES[r.ResourceType as keyof typeof ALARM_TYPES];
        if (type && r.PhysicalResourceId && !r.ResourceStatus?.startsWith('DELETE_COMPLETE')) found.push({ name: r.PhysicalResourceId, type });
      }
    }
  } catch (error) {
    if ((error as Error).message?.includes('does not exist')) throw new CliError(`Stack ${stack} not found in this account and region: deploy it, or name the app's stacks with --stack.`);
    throw error;
  }
  return found;
}

/** `shipshape alarms`: every alarm of the app with its state and reason, ALARM first. Read-only. */
export async function listAlarms(ctx: CliContext, options: AlarmsOptions): Promise<AlarmLine[]> {
  const wanted = new Map<string, { stack: string; type: AlarmLine['type'] }>();
  for (const stack of options.stacks) for (const a of await stackAlarms(ctx, stack)) wanted.set(a.name, { stack, type: a.type });
  const names = [...wanted.keys()];
  const lines: AlarmLine[] = [];
  for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
    const batch = names.slice(i, i + NAMES_PER_CALL);
    // Without AlarmTypes, DescribeAlarms returns metric alarms only.
    for await (const page of paginateDescribeAlarms({ client: ctx.cloudwatch }, { AlarmNames: batch, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] })) {
      for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        const known = a.AlarmName ? wanted.get(a.AlarmName) : undefined;
        if (!known || !a.AlarmName) continue;
        lines.push({
          name: a.AlarmName,
          stack: known.stack,
          type: known.type,
          state: a.StateValue ?? 'INSUFFICIENT_DATA',
          since: a.StateUpdatedTimestamp?.toISOString(),
          reason: a.StateReason,
          actionsEnabled: a.ActionsEnabled,
        });
      }
    }
  }
  const seen = new Set(lines.map((l) => l.name));
  for (const [name, { stack, type }] of wanted) if (!seen.has(name)) lines.push({ name, stack, type, state: 'MISSING', reason: 'in the stack, but CloudWatch has no such alarm' });
  lines.sort((a, b) => ORDER[a.state] - ORDER[b.state] || (b.since ?? '').localeCompare(a.since ?? '') || a.name.localeCompare(b.name));
  const counts = Object.fromEntries(Object.keys(ORDER).map((state) => [state, lines.filter((l) => l.state === state).length]));
  if (options.json) {
    ctx.out(JSON.stringify({ stacks: options.stacks, counts, alarms: lines }, null, 2));
    return lines;
  }
  if (lines.length === 0) {
    ctx.out(`No alarms in ${options.stacks.join(', ')}.`);
    return lines;
  }
  ctx.out(`${lines.length} alarms in ${options.stacks.join(', ')}: ${counts.ALARM} ALARM, ${counts.INSUFFICIENT_DATA} INSUFFICIENT_DATA, ${counts.OK} OK${counts.MISSING ? `, ${counts.MISSING} MISSING` : ''}`);
  const width = Math.max(...lines.map((l) => l.name.length));
  for (const l of lines) {
    const muted = l.actionsEnabled === false ? '  (actions disabled)' : '';
    ctx.out(`${l.state.padEnd(17)} ${l.name.padEnd(width)}  ${l.since ?? '-'}  ${l.reason ?? ''}${muted}`);
  }
  return lines;
}

export const alarmsCommand: CliCommand = {
  name: 'alarms',
  summary: "every alarm of the app: state and reason, ALARM first",
  description:
    "Lists every alarm the app's stacks create (found in the stacks' CloudFormation resources, named or not), with its\n" +
    'state, since when, and the reason CloudWatch gives; ALARM first, then alarms the stack lists but CloudWatch does not\n' +
    'have (MISSING), INSUFFICIENT_DATA and OK. Read-only.',
  options: {
    stack: { type: 'string', value: 'S', multiple: true, description: "a stack to read, repeatable (default: the app's stateful and stateless stacks)" },
    json: JSON_OPTION,
  },
  examples: ['shipshape alarms', 'shipshape alarms --stack payments-stateless --json'],
  exitCodes: {
    0: 'listed (alarms in ALARM are listed, not an error)',
    1: 'a stack is missing, or AWS refused or throttled a call (the message names it)',
    2: 'bad usage, or no AWS credentials/region',
  },
  run: async (values, io) => {
    const stacks = (values.stack as string[] | undefined) ?? [io.defaultStack('stateful'), io.defaultStack('stateless')];
    await listAlarms(io.ctx, { stacks, json: values.json === true });
  },
};
