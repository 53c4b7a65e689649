import { Annotations, Duration, type SecretValue, Size, Stack, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ResilientDatabase } from '../database/resilient-database';
import { drillFailedAlarmProps, drillStaleAlarmProps } from '../restore-drill/drill-alarms';
import type { RestoreDrill } from '../restore-drill/restore-drill';
import type { RotationFailureSignal } from '../secrets/rotation-failure-signal';
import type { RedundantService, RollbackTrigger } from '../service/redundant-service';
import { type AlarmName, type AlarmThresholds, resolveThresholds } from './alarm-thresholds';
import { acknowledge } from '../private/acknowledge';
import { admitServicePublishers, topicRuleTarget } from '../private/topic-publishers';
import { AlarmTopic } from './alarm-topic';
import type { AlarmSpec } from './alarm-spec';
import { releaseAlarmSpecs } from './release-alarms';
import { type AlarmSpeed, detectionSeconds } from './rollback-timing';

export interface ServiceAlarmsProps {
  readonly service: RedundantService;
  /** @default - no database alarms */
  readonly database?: ResilientDatabase;
  /** @default - no drill alarms */
  readonly drill?: RestoreDrill;
  /**
   * Failed rotations: each one notifies the topic, and an alarm counts them. The signal must be in
   * the topic's stack.
   * @default - no rotation alarm
   */
  readonly rotationFailures?: RotationFailureSignal;
  /**
   * Where alarms notify (ALARM and OK). A topic created in this app gets statements in its policy
   * (and its key's) that admit this account's alarms and rules; an imported topic's owner must
   * admit `cloudwatch.amazonaws.com` and `events.amazonaws.com` themselves.
   * @default - a new `AlarmTopic` with `emails` and `webhooks`
   */
  readonly topic?: sns.ITopic;
  /**
   * Who gets paged by email, subscribed to the topic ServiceAlarms creates (not allowed with
   * `topic`: subscribe them to your topic). With no `emails`, `webhooks`, `secretWebhooks` or
   * `topic`, the alarms reach nobody: the construct warns (`shipshape:alarms-reach-nobody`).
   * @default - none
   */
  readonly emails?: string[];
  /**
   * Webhook URLs, written into the template in plain text; prefer `secretWebhooks`.
   * @default - none
   */
  readonly webhooks?: string[];
  /**
   * Webhooks whose URL stays out of the template (see `AlarmTopicProps.secretWebhooks`).
   * @default - none
   */
  readonly secretWebhooks?: SecretValue[];
  /** @default DEFAULT_THRESHOLDS */
  readonly thresholds?: Partial<AlarmThresholds>;
  /**
   * Alarms not to create.
   * @default - all apply
   */
  readonly disabled?: AlarmName[];
  /**
   * Roll a deployment back (and, blue/green, the bake) when a user-facing alarm goes off: the
   * 5xx rates, p99 latency, the one-minute release 5xx rate and the fast error alarm.
   * @default true
   */
  readonly rollBackDeployments?: boolean;
  /**
   * A high-resolution (10 s) error count the application publishes (e.g. with CloudWatch EMF,
   * `StorageResolution: 1`): its alarm rolls a bad release back within about a minute.
   * @default - none: rollbacks wait for the one-minute load balancer metrics
   */
  readonly fastErrorMetric?: cloudwatch.Metric;
  /**
   * Alarm names are `<prefix>-<alarm>`: explicit, so a deployment can name them without a
   * circular reference to its own service.
   * @default - the stack name
   */
  readonly alarmNamePrefix?: string;
}

/** The alarms a deployment rolls back on, when they exist. */
const ROLLBACK_ALARMS: AlarmName[] = ['release-5xx-rate', 'release-fast-errors', 'alb-5xx-rate', 'target-5xx-rate', 'p99-latency'];

const { GREATER_THAN_THRESHOLD: ABOVE, GREATER_THAN_OR_EQUAL_TO_THRESHOLD: AT_LEAST, LESS_THAN_THRESHOLD: BELOW } = cloudwatch.ComparisonOperator;
const { BREACHING, NOT_BREACHING } = cloudwatch.TreatMissingData;
const MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

/**
 * The alarms a small team needs to hear about a problem before its users: RED signals of the
 * load balancer, the tasks, the database, the restore drills and secret rotation, a composite
 * "service unhealthy" alarm (what blue/green rolls back on), and ECS deployment failures. Every
 * alarm notifies ALARM and OK; every description says what to look at first.
 */
export class ServiceAlarms extends Construct {
  public readonly topic: sns.ITopic;
  /** Every alarm created, by name. */
  public readonly alarms: Partial<Record<AlarmName, cloudwatch.Alarm>> = {};
  /** Any of the user-facing signals (5xx rates, p99 latency, no healthy target). */
  public readonly serviceUnhealthy: cloudwatch.CompositeAlarm;
  public readonly thresholds: AlarmThresholds;
  /** How fast each alarm goes off after a problem starts (for the rollback arithmetic). */
  public readonly speeds: Partial<Record<AlarmName, AlarmSpeed>> = {};
  private readonly prefix: string;
  private readonly disabled: ReadonlySet<AlarmName>;

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    Tags.of(this).add('shipshape:component', 'alarms');
    this.thresholds = resolveThresholds(props.thresholds);
    this.prefix = props.alarmNamePrefix ?? Stack.of(this).stackName;
    this.disabled = new Set(props.disabled ?? []);
    const recipients = ['emails', 'webhooks', 'secretWebhooks'] as const;
    const given = recipients.filter((key) => (props[key]?.length ?? 0) > 0);
    if (props.topic && given.length > 0) {
      throw new Error(
        `ServiceAlarms: ${given.join(', ')} subscribe the topic ServiceAlarms creates, and topic is one of yours; ` +
          'subscribe them to your topic yourself (topic.addSubscription(new EmailSubscription(...))), or drop topic',
      );
    }
    const ownTopic = props.topic ? undefined : new AlarmTopic(this, 'Notifications', { emails: props.emails, webhooks: props.webhooks, secretWebhooks: props.secretWebhooks });
    this.topic = props.topic ?? (ownTopic as AlarmTopic).topic;
    if (ownTopic?.recipients === 0) {
      Annotations.of(this).addWarningV2(
        'shipshape:alarms-reach-nobody',
        'ServiceAlarms: no emails, webhooks, secretWebhooks or topic, so the alarms notify a topic nobody is subscribed to: pass emails (the on-call address), ' +
          'secretWebhooks, or a topic of yours; or subscribe someone to `topic` yourself and acknowledge this warning',
      );
    }
    // A topic of the caller's must admit the alarms too (a topic policy refuses whom it does not name).
    admitServicePublishers(this.topic, ['cloudwatch-alarms']);

    this.serviceAlarms(props.service);
    if (props.database) this.databaseAlarms(props.database);
    if (props.drill) {
      this.add('drill-failed', true, drillFailedAlarmProps(props.drill));
      this.add('drill-stale', true, drillStaleAlarmProps(props.drill));
    }
    if (props.rotationFailures) {
      this.routeRotationFailures(props.rotationFailures);
      this.addSpec('rotation-failed', {
        metric: props.rotationFailures.metricRotationFailures({ period: FIVE_MINUTES }),
        threshold: 1,
        comparison: AT_LEAST,
        evaluationPeriods: 1,
        missing: NOT_BREACHING,
        description: 'A secret rotation failed: the old credentials stay current. Look first at the rotation function log in CloudWatch Logs.',
      });
    }
    const userFacing = (['alb-5xx-rate', 'target-5xx-rate', 'p99-latency', 'no-healthy-targets'] as const).map((n) => this.alarms[n]).filter((a) => a !== undefined);
    if (userFacing.length === 0) {
      throw new Error('ServiceAlarms.disabled: keep at least one of alb-5xx-rate, target-5xx-rate, p99-latency, no-healthy-targets (the "service unhealthy" composite needs one)');
    }
    this.serviceUnhealthy = new cloudwatch.CompositeAlarm(this, 'ServiceUnhealthy', {
      compositeAlarmName: `${this.prefix}-service-unhealthy`,
      alarmDescription: 'Users see errors or slowness (any of: 5xx rates, p99 latency, no healthy target). Look first at the dashboard and the last deployment.',
      alarmRule: cloudwatch.AlarmRule.anyOf(...userFacing.map((a) => cloudwatch.AlarmRule.fromAlarm(a, cloudwatch.AlarmState.ALARM))),
    });
    this.notify(this.serviceUnhealthy);
    this.deploymentEvents(props.service);
    for (const [name, spec] of releaseAlarmSpecs(props.service, this.thresholds, props.fastErrorMetric)) this.addSpec(name, spec);
    if (props.rollBackDeployments ?? true) props.service.rollBackOn(this.rollbackTriggers());
  }

  /**
   * The alarms a deployment rolls back on, as alarms (for `AlarmRollback`, which reacts to their
   * state changes); the same ones `rollbackTriggers()` names, whether or not `rollBackDeployments`
   * gave them to ECS.
   */
  public rollbackAlarms(): cloudwatch.Alarm[] {
    return ROLLBACK_ALARMS.filter((name) => this.alarms[name] && this.speeds[name]).map((name) => this.alarms[name] as cloudwatch.Alarm);
  }

  /** The rollback alarms in force, each with its explicit name and its detection time. */
  public rollbackTriggers(): RollbackTrigger[] {
    return ROLLBACK_ALARMS.filter((name) => this.alarms[name] && this.speeds[name]).map((name) => ({
      alarmName: `${this.prefix}-${name}`,
      detectionSeconds: detectionSeconds(this.speeds[name] as AlarmSpeed),
    }));
  }

  private serviceAlarms(service: RedundantService): void {
    const t = this.thresholds;
    const rate = (errors: cloudwatch.IMetric, label: string) =>
      new cloudwatch.MathExpression({
        expression: '100 * FILL(errors, 0) / requests',
        usingMetrics: { errors, requests: service.metricRequestCount({ period: MINUTE }) },
        period: MINUTE,
        label,
      });
    this.addSpec('alb-5xx-rate', {
      metric: rate(service.metricLoadBalancer5xxCount({ period: MINUTE }), 'ALB 5xx %'),
      threshold: t.alb5xxRatePercent,
      comparison: ABOVE,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      missing: NOT_BREACHING,
      description: 'The load balancer answers 5xx itself (no healthy target, timeouts). Look first at target health and task restarts.',
    });
    this.addSpec('target-5xx-rate', {
      metric: rate(service.metricTarget5xxCount({ period: MINUTE }), 'Target 5xx %'),
      threshold: t.target5xxRatePercent,
      comparison: ABOVE,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      missing: NOT_BREACHING,
      description: 'The application answers 5xx. Look first at the application ERROR lines in the service log and the last deployment.',
    });
    this.addSpec('p99-latency', {
      metric: service.metricTargetResponseTime({ statistic: 'p99', period: MINUTE }),
      threshold: t.p99LatencySeconds,
      comparison: ABOVE,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      missing: NOT_BREACHING,
      description: 'The slowest 1% of requests are slow. Look first at database CPU and slow queries, then service CPU.',
    });
    this.addSpec('no-healthy-targets', {
      metric: service.metricHealthyHostCount({ period: MINUTE }),
      threshold: 1,
      comparison: BELOW,
      evaluationPeriods: 2,
      missing: BREACHING,
      description: 'No task passes its health check: the service is down. A silent metric counts as down. Look first at ECS service events and task stop reasons.',
    });
    this.addSpec('unhealthy-targets', {
      metric: service.metricUnhealthyHostCount({ statistic: 'Maximum', period: MINUTE }),
      threshold: 1,
      comparison: AT_LEAST,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      missing: NOT_BREACHING,
      description: 'A task fails its health check for 5 minutes. Look first at that task log and its health endpoint.',
    });
    this.addSpec('rejected-connections', {
      metric: service.metricRejectedConnectionCount({ period: MINUTE }),
      threshold: 1,
      comparison: AT_LEAST,
      evaluationPeriods: 1,
      missing: NOT_BREACHING,
      description: 'The load balancer refused connections (its connection limit). Look first at traffic spikes and client keep-alive settings.',
    });
    this.addSpec('tasks-below-desired', {
      metric: new cloudwatch.MathExpression({
        expression: 'desired - running',
        usingMetrics: { desired: service.metricDesiredTaskCount(), running: service.metricRunningTaskCount() },
        period: MINUTE,
        label: 'missing tasks',
      }),
      threshold: 0,
      comparison: ABOVE,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      missing: BREACHING,
      description: 'Fewer tasks run than desired for 5 minutes (crash loop, capacity, image pull). Look first at ECS service events and stopped task reasons.',
    });
    this.addSpec('service-cpu', {
      metric: service.metricCpuUtilization(),
      threshold: t.serviceCpuPercent,
      comparison: ABOVE,
      evaluationPeriods: 10,
      datapointsToAlarm: 10,
      missing: NOT_BREACHING,
      description: 'CPU stays high although autoscaling targets 60%: at the maximum task count, or scaling is stuck. Look first at the desired count.',
    });
    this.addSpec('service-memory', {
      metric: service.metricMemoryUtilization(),
      threshold: t.serviceMemoryPercent,
      comparison: ABOVE,
      evaluationPeriods: 10,
      datapointsToAlarm: 10,
      missing: NOT_BREACHING,
      description: 'Memory stays high: tasks will be killed at the hard limit. Look first at a leak (memory over time) or the task size.',
    });
    this.addSpec('application-errors', {
      metric: service.metricApplicationErrors({ period: FIVE_MINUTES }),
      threshold: t.applicationErrorsPer5Minutes,
      comparison: AT_LEAST,
      evaluationPeriods: 1,
      missing: NOT_BREACHING,
      description: 'The application logs ERROR lines. Look first at those lines (Logs Insights on the service log group, by correlation id).',
    });
  }

  private databaseAlarms(db: ResilientDatabase): void {
    const t = this.thresholds;
    const sustained = { evaluationPeriods: 5, datapointsToAlarm: 5 };
    this.addSpec('db-cpu', { metric: db.metricCPUUtilization({ period: MINUTE }), threshold: t.dbCpuPercent, comparison: ABOVE, ...sustained, missing: BREACHING, description: 'Database CPU is high (or the database stopped reporting). Look first at Performance Insights top SQL.' });
    this.addSpec('db-freeable-memory', { metric: db.metricFreeableMemory({ period: MINUTE }), threshold: Size.mebibytes(t.dbFreeableMemoryMiB).toBytes(), comparison: BELOW, ...sustained, missing: NOT_BREACHING, description: 'The database is short of memory. Look first at connection count and work_mem-heavy queries, then the size.' });
    if (db.estimatedMaxConnections !== undefined) {
      this.addSpec('db-connections', { metric: db.metricDatabaseConnections({ period: MINUTE }), threshold: Math.floor((db.estimatedMaxConnections * t.dbConnectionsPercent) / 100), comparison: ABOVE, ...sustained, missing: NOT_BREACHING, description: 'Connections approach max_connections. Look first at connection pools per task, or turn on the RDS Proxy.' });
    }
    const lag = db.metricReplicaLag({ period: MINUTE });
    if (lag) this.addSpec('db-replica-lag', { metric: lag, threshold: t.dbReplicaLagMs, comparison: ABOVE, ...sustained, missing: NOT_BREACHING, description: 'The Aurora reader lags: a failover now could be slower. Look first at write volume on the writer.' });
    this.addSpec('db-free-storage', { metric: db.metricFreeStorageSpace({ period: MINUTE }), threshold: Size.gibibytes(t.dbFreeStorageGiB).toBytes(), comparison: BELOW, ...sustained, missing: NOT_BREACHING, description: 'Free storage is low (RDS: allocated storage; Aurora: local temporary storage). Look first at large sorts and temp files in the log.' });
    const volume = db.metricVolumeBytesUsed({ period: Duration.hours(1) });
    if (volume) this.addSpec('db-volume', { metric: volume, threshold: Size.gibibytes(t.dbVolumeGiB).toBytes(), comparison: ABOVE, evaluationPeriods: 1, missing: NOT_BREACHING, description: 'The Aurora volume grew past the size you expect (it grows on its own; this is about cost). Look first at the largest tables.' });
    this.addSpec('db-deadlocks', { metric: db.metricDeadlocks({ period: FIVE_MINUTES }), threshold: 1, comparison: AT_LEAST, evaluationPeriods: 1, missing: NOT_BREACHING, description: 'PostgreSQL detected a deadlock. Look first at the "deadlock detected" lines in the PostgreSQL log: they name both statements.' });
  }

  private addSpec(name: AlarmName, spec: AlarmSpec): void {
    const config = spec.metric.toMetricConfig();
    const period = config.metricStat?.period.toSeconds() ?? config.mathExpression?.period ?? 300;
    this.speeds[name] = { periodSeconds: period, datapointsToAlarm: spec.datapointsToAlarm ?? spec.evaluationPeriods };
    this.add(name, spec.notify ?? true, {
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      treatMissingData: spec.missing,
      alarmDescription: spec.description,
    });
  }

  private add(name: AlarmName, notify: boolean, props: cloudwatch.AlarmProps): void {
    if (this.disabled.has(name)) return;
    const alarm = new cloudwatch.Alarm(this, name, { ...props, alarmName: `${this.prefix}-${name}` });
    if (notify) this.notify(alarm);
    else {
      acknowledge(
        alarm,
        'NIST.800.53.R5-CloudWatchAlarmAction',
        'ECS acts on this alarm: it rolls a deployment back. The rollback itself reaches the topic as an ECS deployment event, and sustained errors page through the service-unhealthy composite.',
      );
    }
    this.alarms[name] = alarm;
  }

  private notify(alarm: cloudwatch.AlarmBase): void {
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.topic));
    alarm.addOkAction(new cloudwatchActions.SnsAction(this.topic));
  }

  /**
   * Each failed rotation reaches the topic as it happens, with the secret and the error. The rule
   * then has a target, so EventBridge invokes it and publishes its metrics
   * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html): the alarm's
   * `TriggeredRules` has data exactly when a rotation failed.
   */
  private routeRotationFailures(signal: RotationFailureSignal): void {
    if (Stack.of(signal) !== Stack.of(this.topic)) {
      throw new Error(
        'ServiceAlarms.rotationFailures: create the RotationFailureSignal in the same stack as the alarm topic, so its rule can notify the topic (a rule target in another stack would make the stacks depend on each other)',
      );
    }
    signal.rule.addTarget(
      topicRuleTarget(
        this.topic,
        events.RuleTargetInput.fromText(
          `Rotation of secret ${events.EventField.fromPath('$.detail.additionalEventData.SecretId')} failed at ${events.EventField.time}: the old credentials stay current. Look first at the rotation function log.`,
        ),
      ),
    );
  }

  /** ECS deployment failures (including circuit-breaker rollbacks) go to the topic as they happen. */
  private deploymentEvents(service: RedundantService): void {
    new events.Rule(this, 'DeploymentFailed', {
      description: 'An ECS deployment of the service failed or was rolled back',
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Deployment State Change'],
        resources: [service.service.serviceArn],
        detail: { eventName: ['SERVICE_DEPLOYMENT_FAILED'] },
      },
      targets: [topicRuleTarget(this.topic)],
    });
  }
}
