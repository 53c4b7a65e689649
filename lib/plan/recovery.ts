import { secondsUntilRolledBack } from '../../constructs/alarms/rollback-timing';
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

function alarmSpeed(alarm: CfnResource): { periodSeconds: number; datapointsToAlarm: number } {
  return { periodSeconds: alarmPeriodSeconds(alarm), datapointsToAlarm: numberProp(alarm, 'DatapointsToAlarm') ?? numberProp(alarm, 'EvaluationPeriods') ?? 1 };
}

function rollbackFigures(template: CfnTemplate): RecoveryFigure[] {
  const figures: RecoveryFigure[] = [];
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
    const timed = alarms.map(([, a]) => ({ name: a.Properties?.AlarmName as string, speed: alarmSpeed(a) })).map((a) => ({ ...a, seconds: secondsUntilRolledBack(a.speed) }));
    timed.sort((a, b) => a.seconds - b.seconds);
    const fastest = timed[0];
    if (fastest) {
      figures.push({
        figure: 'a bad release is detected and traffic is back on the old revision',
        seconds: fastest.seconds,
        from: `${fastest.name}: ${fastest.speed.datapointsToAlarm} x ${fastest.speed.periodSeconds} s + publish, evaluation, ECS polling and flip lags (assumed, see docs/aws-behaviour.md); bake ${deployment.BakeTimeInMinutes ?? 0} min`,
      });
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
