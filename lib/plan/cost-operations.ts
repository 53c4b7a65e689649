import type { EstimateInput, Lines } from './cost';
import { scheduleIntervalDays } from './recovery';
import { alarmPeriodSeconds, type CfnResource, numberProp, pipelineArtifactBuckets, referencedId, resourcesOf } from './template';

/** Logs, metrics, alarms and dashboards; functions, state machines, schedules and notifications; the release pipeline. */
export function operationsLines(input: EstimateInput, lines: Lines): void {
  logs(input, lines);
  alarms(input, lines);
  customMetrics(input, lines);
  const invocations = lambda(input, lines);
  lambdaLogs(input, lines, invocations);
  stateMachines(input, lines);
  schedules(input, lines);
  notifications(input, lines);
  pipelines(input, lines);
}

/** Invocations a month of a schedule expression (undefined when it cannot be read). */
export function invocationsPerMonth(expression: string, hoursPerMonth: number): number | undefined {
  const days = scheduleIntervalDays(expression);
  return days === undefined ? undefined : (hoursPerMonth / 24) / days;
}

function retentionMonths(group: CfnResource | undefined): number {
  const days = numberProp(group, 'RetentionInDays');
  return days === undefined ? 12 : Math.min(12, Math.max(1, days / 30));
}

function logs(input: EstimateInput, lines: Lines): void {
  const { template, prices, usage } = input;
  const groups = resourcesOf(template, 'AWS::Logs::LogGroup');
  const parts: string[] = [];
  let ingestGb = 0;
  let storedGb = 0;
  const services = resourcesOf(template, 'AWS::ECS::Service');
  if (services.length > 0) {
    const task = template.Resources[referencedId(services[0][1].Properties?.TaskDefinition) ?? ''];
    const containers = (task?.Properties?.ContainerDefinitions ?? []) as Array<{ LogConfiguration?: { Options?: Record<string, unknown> } }>;
    const group = template.Resources[referencedId(containers[0]?.LogConfiguration?.Options?.['awslogs-group']) ?? ''];
    ingestGb += usage.logIngestGb;
    storedGb += usage.logIngestGb * retentionMonths(group);
    parts.push(`${usage.logIngestGb} GB of application logs`);
  }
  const databases = resourcesOf(template, 'AWS::RDS::DBCluster').length + resourcesOf(template, 'AWS::RDS::DBInstance').filter(([, i]) => !i.Properties?.DBClusterIdentifier).length;
  const exporting = [...resourcesOf(template, 'AWS::RDS::DBCluster'), ...resourcesOf(template, 'AWS::RDS::DBInstance')].some(([, d]) => ((d.Properties?.EnableCloudwatchLogsExports as unknown[]) ?? []).length > 0);
  if (databases > 0 && exporting) {
    ingestGb += usage.databaseLogGb;
    storedGb += usage.databaseLogGb * 3;
    parts.push(`${usage.databaseLogGb} GB of PostgreSQL logs`);
  }
  if (ingestGb > 0) {
    lines.add('CloudWatch Logs ingestion', ingestGb * prices.logsIngestGb, `${parts.join(' + ')} a month`, ['AWS::Logs::LogGroup'], {
      logsGb: { units: ingestGb, usd: ingestGb * prices.logsIngestGb },
    });
  }
  for (const [id, flowLog] of resourcesOf(template, 'AWS::EC2::FlowLog')) {
    if (flowLog.Properties?.LogDestinationType === 's3') {
      lines.add('VPC flow logs', usage.flowLogGb * 0.25, `${id}: ${usage.flowLogGb} GB delivered to S3 (vended logs, S3 rate)`, ['AWS::EC2::FlowLog']);
      continue;
    }
    const group = template.Resources[referencedId(flowLog.Properties?.LogGroupName) ?? ''];
    storedGb += usage.flowLogGb * retentionMonths(group);
    lines.add('VPC flow logs', usage.flowLogGb * prices.vendedLogsIngestGb, `${id}: ${usage.flowLogGb} GB a month delivered to CloudWatch Logs (vended logs)`, ['AWS::EC2::FlowLog', 'AWS::Logs::LogGroup']);
  }
  const monitored = resourcesOf(template, 'AWS::RDS::DBInstance').filter(([, i]) => (numberProp(i, 'MonitoringInterval') ?? 0) > 0);
  if (monitored.length > 0) {
    const gb = monitored.reduce((sum, [, i]) => sum + ((usage.hoursPerMonth * 3600) / (numberProp(i, 'MonitoringInterval') ?? 60)) * usage.enhancedMonitoringKbPerEvent, 0) / 1e6;
    storedGb += gb;
    lines.add(
      'RDS enhanced monitoring',
      gb * prices.logsIngestGb,
      `${monitored.length} instances every ${numberProp(monitored[0][1], 'MonitoringInterval')} s x ${usage.enhancedMonitoringKbPerEvent} KB = ${gb.toFixed(2)} GB into RDSOSMetrics`,
      ['AWS::RDS::DBInstance'],
      { logsGb: { units: gb, usd: gb * prices.logsIngestGb } },
    );
  }
  if (groups.length > 0 || storedGb > 0) {
    lines.add('CloudWatch Logs storage', storedGb * prices.logsStorageGbMonth, `${storedGb.toFixed(1)} GB kept at steady state (each source x its retention, at most 12 months; uncompressed: an upper bound)`, [
      'AWS::Logs::LogGroup',
    ]);
  }
}

/** The metrics an alarm reads: CloudWatch bills each metric of a metric-math alarm. */
function alarmMetrics(alarm: CfnResource): number {
  const metrics = (alarm.Properties?.Metrics ?? []) as Array<{ MetricStat?: unknown }>;
  return metrics.length === 0 ? 1 : metrics.filter((m) => m.MetricStat !== undefined).length;
}

function alarms(input: EstimateInput, lines: Lines): void {
  const { template, prices } = input;
  let standard = 0;
  let highRes = 0;
  for (const [, alarm] of resourcesOf(template, 'AWS::CloudWatch::Alarm')) {
    if (alarmPeriodSeconds(alarm) < 60) highRes += alarmMetrics(alarm);
    else standard += alarmMetrics(alarm);
  }
  // Application Auto Scaling creates and bills two alarms for each target-tracking policy.
  const tracking = resourcesOf(template, 'AWS::ApplicationAutoScaling::ScalingPolicy').filter(([, p]) => p.Properties?.PolicyType === 'TargetTrackingScaling').length;
  const composite = resourcesOf(template, 'AWS::CloudWatch::CompositeAlarm').length;
  const alarmCount = resourcesOf(template, 'AWS::CloudWatch::Alarm').length;
  if (alarmCount + tracking + composite > 0) {
    const standardAll = standard + 2 * tracking;
    lines.add(
      'CloudWatch alarms',
      standardAll * prices.alarmStandardMonth + highRes * prices.alarmHighResolutionMonth + composite * prices.alarmCompositeMonth,
      `${alarmCount} alarms reading ${standard} standard and ${highRes} high-resolution metrics, ${2 * tracking} target-tracking alarms, ${composite} composite`,
      ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm', 'AWS::ApplicationAutoScaling::ScalingPolicy'],
      { standardAlarms: { units: standardAll, usd: standardAll * prices.alarmStandardMonth } },
    );
  }
  const dashboards = resourcesOf(template, 'AWS::CloudWatch::Dashboard').length;
  if (dashboards > 0) {
    lines.add('CloudWatch dashboards', dashboards * prices.dashboardMonth, `${dashboards} dashboards`, ['AWS::CloudWatch::Dashboard'], {
      dashboards: { units: dashboards, usd: dashboards * prices.dashboardMonth },
    });
  }
}

/** What a construct declares its Lambdas publish (EMF): `Metadata['shipshape:metrics']`. */
interface DeclaredMetrics {
  readonly namespace: string;
  readonly names: readonly string[];
  /** The names published once a run of the state machine that declares them (the others: every hour at least). */
  readonly oncePerRun?: readonly string[];
}

const keyOf = (namespace: unknown, name: unknown, dimensions: unknown) => JSON.stringify([namespace, name, dimensions ?? null]);

/**
 * Custom metrics, each billed per month: what the metric filters publish, what the kit's Lambdas
 * declare they publish, and application metrics (outside AWS/* and the kit's own namespaces) an
 * alarm reads, which the application publishes.
 */
function customMetrics(input: EstimateInput, lines: Lines): void {
  const { template, prices } = input;
  const sources: string[] = [];
  const metrics = new Set<string>();
  // "All custom metrics charges are prorated by the hour and metered only when you send metrics to CloudWatch"
  // (https://aws.amazon.com/cloudwatch/pricing/): a metric sent once a run is billed for the hours it is sent in.
  let occasionalMetricMonths = 0;
  for (const [, filter] of resourcesOf(template, 'AWS::Logs::MetricFilter')) {
    for (const t of (filter.Properties?.MetricTransformations ?? []) as Array<{ MetricNamespace?: string; MetricName?: string; Dimensions?: unknown }>) {
      metrics.add(keyOf(t.MetricNamespace, t.MetricName, t.Dimensions));
    }
  }
  if (metrics.size > 0) sources.push(`${metrics.size} from metric filters`);
  for (const [id, resource] of Object.entries(template.Resources)) {
    const declared = resource.Metadata?.['shipshape:metrics'] as DeclaredMetrics | undefined;
    if (!declared) continue;
    const occasional = new Set(declared.oncePerRun ?? []);
    const steady = declared.names.filter((name) => !occasional.has(name));
    for (const name of steady) metrics.add(keyOf(declared.namespace, name, 'declared'));
    const kind = resource.Type.split('::')[2];
    if (steady.length > 0) sources.push(`${steady.length} a ${kind} publishes every hour (${declared.namespace})`);
    if (occasional.size > 0) {
      const runs = runsPerMonth(input, id);
      occasionalMetricMonths += (occasional.size * Math.min(runs, input.usage.hoursPerMonth)) / input.usage.hoursPerMonth;
      sources.push(`${occasional.size} it publishes once a run (${runs.toFixed(2)} runs: billed ${runs.toFixed(2)} of ${input.usage.hoursPerMonth} h each)`);
    }
  }
  let application = 0;
  for (const [, alarm] of resourcesOf(template, 'AWS::CloudWatch::Alarm')) {
    const namespace = alarm.Properties?.Namespace;
    if (typeof namespace === 'string' && !namespace.startsWith('AWS/') && !namespace.startsWith('shipshape/') && namespace !== 'ECS/ContainerInsights') {
      const key = keyOf(namespace, alarm.Properties?.MetricName, alarm.Properties?.Dimensions);
      if (!metrics.has(key)) application++;
      metrics.add(key);
    }
  }
  if (application > 0) sources.push(`${application} the application publishes for an alarm`);
  const count = metrics.size + occasionalMetricMonths;
  if (count > 0 || resourcesOf(template, 'AWS::Logs::MetricFilter').length > 0) {
    const shown = Number.isInteger(count) ? String(count) : count.toFixed(2);
    lines.add('CloudWatch custom metrics', count * prices.customMetricMonth, `${shown} metric-months: ${sources.join(', ')}`, ['AWS::Logs::MetricFilter'], {
      customMetrics: { units: count, usd: count * prices.customMetricMonth },
    });
  }
}

/** Invocations a month of each function a schedule starts. */
function scheduledInvocations(input: EstimateInput): Map<string, number> {
  const byFunction = new Map<string, number>();
  for (const [, schedule] of resourcesOf(input.template, 'AWS::Scheduler::Schedule')) {
    const target = referencedId((schedule.Properties?.Target as { Arn?: unknown } | undefined)?.Arn);
    const count = invocationsPerMonth(String(schedule.Properties?.ScheduleExpression), input.usage.hoursPerMonth);
    if (target && count !== undefined && input.template.Resources[target]?.Type === 'AWS::Lambda::Function') byFunction.set(target, (byFunction.get(target) ?? 0) + count);
  }
  return byFunction;
}

function lambda(input: EstimateInput, lines: Lines): number {
  const { template, prices, usage } = input;
  const functions = resourcesOf(template, 'AWS::Lambda::Function');
  if (functions.length === 0) return 0;
  const scheduled = scheduledInvocations(input);
  const others = functions.filter(([id]) => !scheduled.has(id));
  let requests = 0;
  let gbSeconds = 0;
  let computeUsd = 0;
  for (const [id, fn] of functions) {
    const count = scheduled.get(id) ?? usage.lambdaInvocations / Math.max(1, others.length);
    const gbs = count * usage.lambdaSeconds * ((numberProp(fn, 'MemorySize') ?? 128) / 1024);
    const arm = ((fn.Properties?.Architectures as string[] | undefined) ?? []).includes('arm64');
    requests += count;
    gbSeconds += gbs;
    computeUsd += gbs * (arm ? prices.lambdaGbSecondArm : prices.lambdaGbSecondX86);
  }
  const requestUsd = (requests / 1e6) * prices.lambdaRequestMillion;
  const schedules = [...scheduled.entries()].map(([id, n]) => `${id} ${Math.round(n)}`).join(', ');
  lines.add(
    'Lambda',
    requestUsd + computeUsd,
    `${Math.round(requests)} invocations x ${usage.lambdaSeconds} s at each function's memory (scheduled: ${schedules || 'none'}; ${usage.lambdaInvocations} others)`,
    ['AWS::Lambda::Function'],
    { lambdaRequests: { units: requests, usd: requestUsd }, lambdaGbSeconds: { units: gbSeconds, usd: computeUsd } },
  );
  return requests;
}

function lambdaLogs(input: EstimateInput, lines: Lines, invocations: number): void {
  if (invocations === 0) return;
  const gb = (invocations * input.usage.lambdaLogKbPerInvocation) / 1e6;
  lines.add('Lambda logs', gb * input.prices.logsIngestGb, `${Math.round(invocations)} invocations x ${input.usage.lambdaLogKbPerInvocation} KB`, ['AWS::Lambda::Function'], {
    logsGb: { units: gb, usd: gb * input.prices.logsIngestGb },
  });
}

/** Runs a month of a state machine: its schedule's, else the usage assumption for unscheduled machines. */
function runsPerMonth(input: EstimateInput, stateMachineId: string): number {
  const schedule = resourcesOf(input.template, 'AWS::Scheduler::Schedule').find(([, s]) => referencedId((s.Properties?.Target as { Arn?: unknown } | undefined)?.Arn) === stateMachineId);
  return schedule ? (invocationsPerMonth(String(schedule[1].Properties?.ScheduleExpression), input.usage.hoursPerMonth) ?? 0) : input.usage.otherStateMachineRuns;
}

function stateMachines(input: EstimateInput, lines: Lines): void {
  const { template, prices, usage } = input;
  const machines = resourcesOf(template, 'AWS::StepFunctions::StateMachine');
  if (machines.length === 0) return;
  const parts: string[] = [];
  let transitions = 0;
  for (const [id] of machines) {
    const schedule = resourcesOf(template, 'AWS::Scheduler::Schedule').find(([, s]) => referencedId((s.Properties?.Target as { Arn?: unknown } | undefined)?.Arn) === id);
    const runs = schedule ? (invocationsPerMonth(String(schedule[1].Properties?.ScheduleExpression), usage.hoursPerMonth) ?? 0) : usage.otherStateMachineRuns;
    const each = schedule ? usage.drillTransitions : usage.otherStateMachineTransitions;
    transitions += runs * each;
    parts.push(`${id}: ${runs.toFixed(2)} runs x ${each}`);
  }
  const usd = (transitions / 1000) * prices.stepFunctionsTransitionThousand;
  lines.add('Step Functions state transitions', usd, parts.join('; '), ['AWS::StepFunctions::StateMachine'], { stepFunctionsTransitions: { units: transitions, usd } });
}

function schedules(input: EstimateInput, lines: Lines): void {
  const { template, prices, usage } = input;
  const all = resourcesOf(template, 'AWS::Scheduler::Schedule');
  if (all.length === 0) return;
  const invocations = all.reduce((sum, [, s]) => sum + (invocationsPerMonth(String(s.Properties?.ScheduleExpression), usage.hoursPerMonth) ?? 0), 0);
  const usd = (invocations / 1e6) * prices.schedulerInvocationMillion;
  lines.add('EventBridge Scheduler', usd, `${all.length} schedules, ${Math.round(invocations)} invocations`, ['AWS::Scheduler::Schedule'], { schedulerInvocations: { units: invocations, usd } });
}

function notifications(input: EstimateInput, lines: Lines): void {
  const { template, prices, usage } = input;
  const topics = resourcesOf(template, 'AWS::SNS::Topic').length;
  const emails = resourcesOf(template, 'AWS::SNS::Subscription').filter(([, s]) => s.Properties?.Protocol === 'email').length;
  const publishUsd = (usage.notifications / 1e6) * prices.snsPublishMillion;
  const emailUsd = ((usage.notifications * emails) / 1e5) * prices.snsEmailHundredThousand;
  const queues = resourcesOf(template, 'AWS::SQS::Queue').length;
  if (queues > 0) {
    // Dead-letter queues: a message for each failed delivery, rarely read. Requests, not queues, are billed.
    const requests = queues * usage.notifications;
    const usd = (requests / 1e6) * prices.sqsRequestMillion;
    lines.add('SQS requests', usd, `${queues} queues x ${usage.notifications} requests`, ['AWS::SQS::Queue'], { sqsRequests: { units: requests, usd } });
  }
  if (topics === 0) return;
  lines.add('SNS notifications', publishUsd + emailUsd, `${topics} topics, ${usage.notifications} publishes, each e-mailed to ${emails} subscribers`, ['AWS::SNS::Topic'], {
    snsPublishes: { units: usage.notifications, usd: publishUsd },
  });
}

interface PipelineAction {
  readonly ActionTypeId?: { readonly Category?: string; readonly Owner?: string; readonly Provider?: string };
}

/**
 * The actions a V2 pipeline is billed for: every action but manual approvals and custom actions
 * (https://aws.amazon.com/codepipeline/pricing/), as "Category/Provider".
 */
export function billedPipelineActions(pipeline: CfnResource): string[] {
  const stages = (pipeline.Properties?.Stages ?? []) as Array<{ Actions?: PipelineAction[] }>;
  return stages
    .flatMap((stage) => stage.Actions ?? [])
    .filter((a) => a.ActionTypeId?.Category !== 'Approval' && a.ActionTypeId?.Owner !== 'Custom')
    .map((a) => `${a.ActionTypeId?.Category}/${a.ActionTypeId?.Provider}`);
}

function pipelines(input: EstimateInput, lines: Lines): void {
  const { template, prices, usage } = input;
  for (const [id, pipeline] of resourcesOf(template, 'AWS::CodePipeline::Pipeline')) {
    if (pipeline.Properties?.PipelineType === 'V2') {
      const minutes = usage.releasesPerMonth * usage.releaseActionMinutes;
      const usd = minutes * prices.codePipelineV2ActionMinute;
      const actions = billedPipelineActions(pipeline);
      lines.add(
        'Release pipeline (CodePipeline V2)',
        usd,
        `${id}: ${usage.releasesPerMonth} releases x ${usage.releaseActionMinutes} action minutes at $${prices.codePipelineV2ActionMinute}/min (${actions.length} billed actions a release: ${actions.join(', ')}; manual approvals are free)`,
        ['AWS::CodePipeline::Pipeline'],
        { codePipelineV2ActionMinutes: { units: minutes, usd } },
      );
    } else {
      lines.add('Release pipeline (CodePipeline V1)', prices.codePipelineV1Month, `${id}: one active V1 pipeline`, ['AWS::CodePipeline::Pipeline']);
    }
  }
  for (const id of pipelineArtifactBuckets(template)) {
    if (template.Resources[id]?.Type !== 'AWS::S3::Bucket') continue;
    lines.add(
      'Release pipeline artifacts (S3)',
      usage.bucketGb * prices.s3StandardGbMonth + (usage.bucketPuts / 1000) * prices.s3PutThousand,
      `${id}: ${usage.bucketGb} GB + ${usage.bucketPuts} PUTs (its key is priced with the KMS keys)`,
      ['AWS::S3::Bucket'],
    );
  }
  for (const [id, project] of resourcesOf(template, 'AWS::CodeBuild::Project')) {
    const environment = project.Properties?.Environment as { ComputeType?: string; Type?: string } | undefined;
    const compute = environment?.ComputeType ?? 'BUILD_GENERAL1_SMALL';
    const key = environment?.Type?.startsWith('ARM') ? (compute.endsWith('LARGE') ? 'ARM_LARGE' : 'ARM_SMALL') : compute;
    const rate = prices.codeBuildMinute[key] ?? 0;
    const minutes = usage.releasesPerMonth * usage.buildMinutes;
    lines.add('CodeBuild', minutes * rate, `${id}: ${usage.releasesPerMonth} builds x ${usage.buildMinutes} min on ${key}${rate === 0 ? ' (no price: not counted)' : ''}`, ['AWS::CodeBuild::Project'], key === 'BUILD_GENERAL1_SMALL' ? { codeBuildSmallMinutes: { units: minutes, usd: minutes * rate } } : undefined);
  }
}
