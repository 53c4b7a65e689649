import { type AlarmSpeed, describeRollback, isHighResolution, RollbackPath, secondsUntilRolledBack } from '../../constructs/alarms/rollback-timing';
import { secondsUntilOutOfRotation } from '../../constructs/service/health-timing';
import { alarmPeriodSeconds, type CfnResource, type CfnTemplate, numberProp, resourcesOf } from './template';

/** One recovery figure, with the settings it comes from. */
export interface RecoveryFigure {
  readonly figure: string;
  readonly seconds: number;
  readonly from: string;
}

/** Point-in-time restore replays transaction logs shipped every 5 minutes (RDS and Aurora backup documentation). */
export const PITR_RPO_SECONDS = 300;

/** The recovery figures the synthesized template gives, each computed from its settings. */
export function recoveryFigures(template: CfnTemplate): RecoveryFigure[] {
  return [...rotationFigures(template), ...rollbackFigures(template), ...backupFigures(template), ...drillFigures(template)];
}

function rotationFigures(template: CfnTemplate): RecoveryFigure[] {
  return resourcesOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup')
    .slice(0, 1)
    .map(([id, tg]) => {
      // AWS defaults when the template leaves them out.
      const timing = {
        intervalSeconds: numberProp(tg, 'HealthCheckIntervalSeconds') ?? 30,
        timeoutSeconds: numberProp(tg, 'HealthCheckTimeoutSeconds') ?? 5,
        unhealthyThreshold: numberProp(tg, 'UnhealthyThresholdCount') ?? 2,
        healthyThreshold: numberProp(tg, 'HealthyThresholdCount') ?? 5,
      };
      return {
        figure: 'a dead task leaves rotation',
        seconds: secondsUntilOutOfRotation(timing),
        from: `${id}: ${timing.unhealthyThreshold} failed checks x ${timing.intervalSeconds} s + ${timing.timeoutSeconds} s timeout`,
      };
    });
}

function alarmSpeed(alarm: CfnResource): AlarmSpeed {
  return { periodSeconds: alarmPeriodSeconds(alarm), datapointsToAlarm: numberProp(alarm, 'DatapointsToAlarm') ?? numberProp(alarm, 'EvaluationPeriods') ?? 1 };
}

/**
 * The alarms whose going to ALARM invokes a function through an enabled EventBridge rule (the
 * `AlarmRollback` path): CloudWatch alarm state-change events, by the alarm ARNs in the pattern's
 * `resources` (a pattern without `resources` matches every alarm).
 */
export function alarmsWithEventRollback(template: CfnTemplate): Set<string> {
  const alarmNames = new Map(resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([id, a]) => [id, a.Properties?.AlarmName as string | undefined]));
  const functions = new Set(resourcesOf(template, 'AWS::Lambda::Function').map(([id]) => id));
  const found = new Set<string>();
  for (const [, rule] of resourcesOf(template, 'AWS::Events::Rule')) {
    const props = rule.Properties ?? {};
    const pattern = (props.EventPattern ?? {}) as { source?: string[]; 'detail-type'?: string[]; resources?: unknown[]; detail?: { state?: { value?: string[] } } };
    const invokesFunction = ((props.Targets ?? []) as Array<{ Arn?: { 'Fn::GetAtt'?: string[] } }>).some((t) => functions.has(t.Arn?.['Fn::GetAtt']?.[0] ?? ''));
    const alarmChange = pattern.source?.includes('aws.cloudwatch') && pattern['detail-type']?.includes('CloudWatch Alarm State Change') && pattern.detail?.state?.value?.includes('ALARM');
    if (props.State === 'DISABLED' || !invokesFunction || !alarmChange) continue;
    if (pattern.resources === undefined) for (const name of alarmNames.values()) if (name) found.add(name);
    for (const resource of pattern.resources ?? []) {
      const id = (resource as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt']?.[0];
      const name = id !== undefined ? alarmNames.get(id) : typeof resource === 'string' ? /:alarm:(.+)$/.exec(resource)?.[1] : undefined;
      if (name) found.add(name);
    }
  }
  return found;
}

function rollbackFigures(template: CfnTemplate): RecoveryFigure[] {
  const figures: RecoveryFigure[] = [];
  const onEvent = alarmsWithEventRollback(template);
  for (const [id, service] of resourcesOf(template, 'AWS::ECS::Service')) {
    const deployment = (service.Properties?.DeploymentConfiguration ?? {}) as {
      Alarms?: { AlarmNames?: string[]; Enable?: boolean };
      BakeTimeInMinutes?: number;
      LifecycleHooks?: Array<{ LifecycleStages?: string[] }>;
    };
    const preTraffic = (deployment.LifecycleHooks ?? []).some((h) => h.LifecycleStages?.includes('POST_TEST_TRAFFIC_SHIFT'));
    if (preTraffic) figures.push({ figure: 'production exposure of a release the smoke test fails', seconds: 0, from: `${id}: lifecycle hook at POST_TEST_TRAFFIC_SHIFT` });
    const names = deployment.Alarms?.Enable ? (deployment.Alarms.AlarmNames ?? []) : [];
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').filter(([, a]) => names.includes(a.Properties?.AlarmName as string));
    const timed = alarms
      .map(([, a]) => ({ name: a.Properties?.AlarmName as string, speed: alarmSpeed(a) }))
      .map((a) => {
        const path = onEvent.has(a.name) ? RollbackPath.ALARM_EVENT : RollbackPath.ECS_POLLING;
        return { ...a, path, seconds: secondsUntilRolledBack(a.speed, path) };
      });
    timed.sort((a, b) => a.seconds - b.seconds);
    const bake = `bake ${deployment.BakeTimeInMinutes ?? 0} min`;
    const from = (a: (typeof timed)[number]) => {
      const fallback = a.path === RollbackPath.ALARM_EVENT ? `; ECS's own alarm polling, the fallback: ${secondsUntilRolledBack(a.speed, RollbackPath.ECS_POLLING)} s` : '';
      const path = a.path === RollbackPath.ALARM_EVENT ? 'alarm event stops the deployment' : 'ECS polls the alarm';
      return `${a.name}: ${describeRollback(a.speed, a.path)} (${path}${fallback}; lags assumed where undocumented, see docs/aws-behaviour.md); ${bake}`;
    };
    const fastest = timed[0];
    if (fastest) figures.push({ figure: 'a bad release is detected and traffic is back on the old revision', seconds: fastest.seconds, from: from(fastest) });
    // The load balancer's one-minute metrics have their own target: shown when a faster high-resolution alarm leads.
    const oneMinute = timed.find((a) => !isHighResolution(a.speed));
    if (fastest && oneMinute && isHighResolution(fastest.speed)) {
      figures.push({ figure: 'a bad release is detected on one-minute metrics and traffic is back on the old revision', seconds: oneMinute.seconds, from: from(oneMinute) });
    }
  }
  return figures;
}

function backupFigures(template: CfnTemplate): RecoveryFigure[] {
  const figures: RecoveryFigure[] = [];
  const databases = [...resourcesOf(template, 'AWS::RDS::DBCluster'), ...resourcesOf(template, 'AWS::RDS::DBInstance').filter(([, i]) => !i.Properties?.DBClusterIdentifier)];
  for (const [id, db] of databases) {
    const retention = numberProp(db, 'BackupRetentionPeriod') ?? 1;
    const window = (db.Properties?.PreferredBackupWindow as string | undefined) ?? 'a window RDS picks';
    figures.push({ figure: 'RPO of point-in-time restore', seconds: PITR_RPO_SECONDS, from: `${id}: automated backups kept ${retention} days; logs shipped every 5 min` });
    figures.push({ figure: 'RPO of the latest automated snapshot', seconds: 86_400, from: `${id}: one snapshot a day in ${window} UTC` });
  }
  return figures;
}

/** Days between runs of a Scheduler expression: rate(N unit) or cron with days of the week or month. */
export function scheduleIntervalDays(expression: string): number | undefined {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (rate) return (Number(rate[1]) * { minute: 1, hour: 60, day: 1440 }[rate[2] as 'minute' | 'hour' | 'day']) / 1440;
  const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+)(?: (\S+))?\)$/.exec(expression);
  if (!cron) return undefined;
  const [, , , dayOfMonth, , dayOfWeek] = cron;
  if (dayOfWeek !== '?' && dayOfWeek !== '*') return 7 / dayOfWeek.split(',').length;
  if (dayOfMonth !== '?' && dayOfMonth !== '*') return 30 / dayOfMonth.split(',').length;
  return 1;
}

function drillFigures(template: CfnTemplate): RecoveryFigure[] {
  const machines = new Set(resourcesOf(template, 'AWS::StepFunctions::StateMachine').map(([id]) => id));
  return resourcesOf(template, 'AWS::Scheduler::Schedule')
    .filter(([, s]) => {
      const arn = (s.Properties?.Target as { Arn?: { Ref?: string } } | undefined)?.Arn?.Ref;
      return arn !== undefined && machines.has(arn);
    })
    .flatMap(([id, s]) => {
      const expression = String(s.Properties?.ScheduleExpression);
      const days = scheduleIntervalDays(expression);
      return days === undefined ? [] : [{ figure: 'longest time since the last restore drill', seconds: Math.round(days * 86_400), from: `${id}: ${expression} ${(s.Properties?.ScheduleExpressionTimezone as string | undefined) ?? 'UTC'}` }];
    });
}
