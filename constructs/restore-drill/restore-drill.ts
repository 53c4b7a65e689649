import * as path from 'node:path';
import { Aws, Duration, RemovalPolicy, Tags, TimeZone } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DatabaseEngine } from '../database/postgres-versions';
import { encryptedBucket, encryptedLogGroup } from '../private/encryption';
import { admitServicePublishers } from '../private/topic-publishers';
import { acknowledgeFunctionFindings, shipshapeFunction } from '../private/node-function';
import { acknowledgeDrillFindings } from './drill-acknowledgments';
import { databaseKeyStatement, decryptCopySecretsStatement, deleteCopiesStatement, describeStatement, restoreFromVaultStatement, restoreStatements } from './drill-permissions';
import { drillFailedAlarmProps, drillStaleAlarmProps } from './drill-alarms';
import { drillDefinition } from './drill-state-machine';
import { validateDrillProps } from './validate-drill-props';
import type { RestoreDrillProps } from './restore-drill-props';
import { DRILL_CHECK_METRIC, DRILL_METRIC_NAMES, DRILL_METRICS_SERVICE, DRILL_NAMESPACE } from './runtime/drill-metrics';
import { CLEANUP_TIMEOUT_MINUTES, DRILL_NAME_PREFIX, type DrillConfig, type DrillSourceConfig } from './runtime/drill-state';


/**
 * Proves a `ResilientDatabase`'s backups on a schedule: restores a temporary copy (snapshot,
 * point in time or AWS Backup vault), waits for it, validates it over TLS from inside the VPC,
 * reports RTO, RPO and every check (metrics, a JSON report in S3, a notification), and deletes
 * the copy on every path. An hourly sweeper deletes any drill copy a dead drill left behind,
 * and publishes how long ago the last drill succeeded.
 */
export class RestoreDrill extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly reportBucket: s3.Bucket;
  public readonly topic: sns.ITopic;
  public readonly stepsFunction: lambda.Function;
  public readonly validatorFunction: lambda.Function;
  public readonly sweeperFunction: lambda.Function;
  /** Writes the heartbeat every minute (when `heartbeat` is on). */
  public readonly heartbeatFunction?: lambda.Function;
  /** The copy's security group: only the validator may connect. */
  public readonly copySecurityGroup: ec2.SecurityGroup;
  public readonly schedule: scheduler.Schedule;
  /** The name the metrics' `Database` dimension carries. */
  public readonly databaseLabel: string;
  public readonly maxDaysWithoutSuccess: number;
  /** A drill failed, or its state machine failed or timed out (when `alarms` is on). */
  public readonly failedAlarm?: cloudwatch.Alarm;
  /** No successful drill for `maxDaysWithoutSuccess` days (when `alarms` is on). */
  public readonly staleAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: RestoreDrillProps) {
    super(scope, id);
    validateDrillProps(props);
    Tags.of(this).add('shipshape:component', 'restore-drill');
    const { database } = props;
    const key = database.encryptionKey;
    const logRetention = logs.RetentionDays.THREE_MONTHS;
    this.databaseLabel = database.identifier;
    this.maxDaysWithoutSuccess = props.maxDaysWithoutSuccess ?? 8;
    const pollInterval = props.pollInterval ?? Duration.minutes(1);
    const restoreTimeout = props.restoreTimeout ?? Duration.hours(3);

    this.reportBucket = encryptedBucket(this, 'Reports', key, Duration.days(400), Duration.days(30));
    this.topic = props.topic ?? new sns.Topic(this, 'Topic', { displayName: 'shipshape restore drills', masterKey: key, enforceSSL: true });
    if ((props.alarms ?? true) || !props.topic) admitServicePublishers(this.topic, ['cloudwatch-alarms']);

    const subnetGroup = new rds.SubnetGroup(this, 'SubnetGroup', {
      vpc: database.vpc,
      vpcSubnets: database.vpcSubnets,
      description: 'Restore drill copies: isolated subnets only',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.copySecurityGroup = new ec2.SecurityGroup(this, 'CopySecurityGroup', {
      vpc: database.vpc,
      description: 'Restore drill copies: reachable only by the drill validator',
      allowAllOutbound: false,
    });

    this.stepsFunction = shipshapeFunction(this, 'Steps', {
      entry: path.join(__dirname, 'runtime', 'drill-steps.lambda.ts'),
      description: `Restore drill steps for ${database.identifier}`,
      key,
      logRetention,
    });
    this.validatorFunction = shipshapeFunction(this, 'Validator', {
      entry: path.join(__dirname, 'runtime', 'validate.lambda.ts'),
      description: `Validates restore drill copies of ${database.identifier} over TLS`,
      key,
      logRetention,
      timeout: Duration.minutes(5),
      vpc: database.vpc,
      vpcSubnets: props.validatorSubnets ?? database.functionSubnets,
      environment: { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' },
    });
    this.copySecurityGroup.connections.allowFrom(this.validatorFunction, ec2.Port.tcp(5432), 'drill validator');
    this.sweeperFunction = shipshapeFunction(this, 'Sweeper', {
      entry: path.join(__dirname, 'runtime', 'sweeper.lambda.ts'),
      description: `Deletes restore drill copies left behind; reports days since the last successful drill of ${database.identifier}`,
      key,
      logRetention,
      timeout: Duration.minutes(5),
      environment: {
        MAX_AGE_HOURS: String((props.sweepAfter ?? Duration.hours(12)).toHours()),
        DATABASE_LABEL: this.databaseLabel,
      },
    });

    const config: DrillConfig = {
      engine: database.engine === DatabaseEngine.AURORA_SERVERLESS_V2 ? 'aurora-serverless-v2' : 'rds-multi-az',
      sourceIdentifier: database.identifier,
      sourceArn: database.arn,
      source: this.sourceConfig(props),
      databaseName: database.databaseName,
      subnetGroupName: subnetGroup.subnetGroupName,
      securityGroupId: this.copySecurityGroup.securityGroupId,
      kmsKeyArn: key.keyArn,
      instanceClass: props.instanceClass ?? 'db.t4g.small',
      restoreTimeoutMinutes: restoreTimeout.toMinutes(),
      checks: { ...props.checks, ...(props.heartbeat ? { heartbeat: true } : {}) },
      reportBucket: this.reportBucket.bucketName,
      topicArn: this.topic.topicArn,
      databaseLabel: this.databaseLabel,
    };
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(
        drillDefinition(this, { config, steps: this.stepsFunction, validator: this.validatorFunction, pollInterval }),
      ),
      comment: `Restore drill of ${database.identifier}`,
      // Past the restore bound and the cleanup bound (so the cleanup's own CleanupTimeout comes
      // first), with an hour for polling, validation, the report and retries.
      timeout: restoreTimeout.plus(Duration.minutes(CLEANUP_TIMEOUT_MINUTES)).plus(Duration.hours(1)),
      tracingEnabled: true,
      logs: {
        destination: encryptedLogGroup(this, 'StateMachineLogs', { key, retention: logRetention, removalPolicy: RemovalPolicy.DESTROY }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    // What the drill's Lambdas publish (EMF), for cost estimates that read the template (shipshape plan).
    const checks = config.checks;
    const checkNames = ['connectivity', ...(checks.tables ?? []).map((t) => `table ${t.table}`), ...(checks.heartbeat || checks.freshnessColumn ? ['freshness'] : []), ...(checks.sql ?? []).map((c) => c.name)];
    // The report publishes once a run, the sweeper every hour: CloudWatch bills a custom metric only for the hours it receives data.
    const oncePerRun = [...DRILL_METRIC_NAMES.filter((name) => name !== 'DaysSinceLastSuccess'), ...checkNames.map((check) => `${DRILL_CHECK_METRIC} Check=${check}`)];
    (this.stateMachine.node.defaultChild as sfn.CfnStateMachine).addMetadata('shipshape:metrics', {
      namespace: DRILL_NAMESPACE,
      names: [...DRILL_METRIC_NAMES, ...checkNames.map((check) => `${DRILL_CHECK_METRIC} Check=${check}`)],
      oncePerRun,
    });
    this.grantPermissions(props, subnetGroup.subnetGroupName);
    this.sweeperFunction.addEnvironment('STATE_MACHINE_ARN', this.stateMachine.stateMachineArn);

    const cron = props.schedule ?? { weekDay: 'SUN', hour: '6', minute: '0' };
    const schedulerRole = (roleId: string) => new iam.Role(this, roleId, { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com') });
    const drillRole = schedulerRole('ScheduleRole');
    const sweeperRole = schedulerRole('SweeperScheduleRole');
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Restore drill of ${database.identifier}`,
      schedule: scheduler.ScheduleExpression.cron({ minute: cron.minute ?? '0', hour: cron.hour ?? '6', weekDay: cron.weekDay, day: cron.day, timeZone: props.timeZone ?? TimeZone.ETC_UTC }),
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, { role: drillRole }),
    });
    new scheduler.Schedule(this, 'SweeperSchedule', {
      description: `Restore drill sweeper and freshness report for ${database.identifier}`,
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
      target: new schedulerTargets.LambdaInvoke(this.sweeperFunction, { role: sweeperRole }),
    });
    const schedulerRoles = [drillRole, sweeperRole];
    if (props.heartbeat) {
      this.heartbeatFunction = this.heartbeat(props);
      const heartbeatRole = schedulerRole('HeartbeatScheduleRole');
      new scheduler.Schedule(this, 'HeartbeatSchedule', {
        description: `Heartbeat write to ${database.identifier} (restore drills measure the RPO with it)`,
        schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
        target: new schedulerTargets.LambdaInvoke(this.heartbeatFunction, { role: heartbeatRole, retryAttempts: 0 }),
      });
      schedulerRoles.push(heartbeatRole);
    }
    if (props.alarms ?? true) [this.failedAlarm, this.staleAlarm] = this.alarms();
    acknowledgeDrillFindings(this, schedulerRoles);
  }

  private alarms(): [cloudwatch.Alarm, cloudwatch.Alarm] {
    const alarms: [cloudwatch.Alarm, cloudwatch.Alarm] = [
      new cloudwatch.Alarm(this, 'FailedAlarm', drillFailedAlarmProps(this)),
      new cloudwatch.Alarm(this, 'StaleAlarm', drillStaleAlarmProps(this)),
    ];
    for (const alarm of alarms) {
      alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.topic));
      alarm.addOkAction(new cloudwatchActions.SnsAction(this.topic));
    }
    return alarms;
  }

  private heartbeat(props: RestoreDrillProps): lambda.Function {
    const { database } = props;
    const fn = shipshapeFunction(this, 'Heartbeat', {
      entry: path.join(__dirname, 'runtime', 'heartbeat.lambda.ts'),
      description: `Writes shipshape.heartbeat in ${database.identifier} every minute`,
      key: database.encryptionKey,
      logRetention: logs.RetentionDays.ONE_MONTH,
      timeout: Duration.seconds(30),
      vpc: database.vpc,
      vpcSubnets: database.functionSubnets,
      environment: {
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        MASTER_SECRET_ARN: database.masterSecret.secretArn,
        DATABASE_NAME: database.databaseName,
      },
    });
    database.masterSecret.grantRead(fn);
    // Straight to the writer (the master secret's host), past a proxy if there is one.
    database.securityGroup.connections.allowFrom(fn, ec2.Port.tcp(5432), 'heartbeat writer');
    acknowledgeFunctionFindings(fn, 'EventBridge Scheduler invokes it every minute; a missed beat is only a coarser RPO');
    return fn;
  }

  private sourceConfig(props: RestoreDrillProps): DrillSourceConfig {
    const source = props.source ?? { mode: 'latest-snapshot' };
    if (source.mode !== 'backup-vault') return source;
    const plan = props.database.backupPlan;
    return { mode: 'backup-vault', vaultName: plan.vault.backupVaultName, restoreRoleArn: plan.restoreRole.roleArn };
  }

  private grantPermissions(props: RestoreDrillProps, subnetGroupName: string): void {
    const { database } = props;
    const steps = this.stepsFunction;
    steps.addToRolePolicy(describeStatement());
    steps.addToRolePolicy(deleteCopiesStatement());
    for (const statement of restoreStatements({ sourceArn: database.arn, subnetGroupName })) steps.addToRolePolicy(statement);
    steps.addToRolePolicy(databaseKeyStatement(database.encryptionKey.keyArn));
    this.reportBucket.grantPut(steps, 'drills/*');
    this.topic.grantPublish(steps);
    if ((props.source ?? { mode: 'latest-snapshot' }).mode === 'backup-vault') {
      const plan = database.backupPlan;
      steps.addToRolePolicy(new iam.PolicyStatement({ sid: 'ListVaultRecoveryPoints', actions: ['backup:ListRecoveryPointsByBackupVault'], resources: [plan.vault.backupVaultArn] }));
      steps.addToRolePolicy(restoreFromVaultStatement());
      steps.addToRolePolicy(new iam.PolicyStatement({ sid: 'FollowRestoreJobs', actions: ['backup:DescribeRestoreJob'], resources: ['*'] }));
      plan.restoreRole.grantPassRole(steps.grantPrincipal);
    }

    const validator = this.validatorFunction;
    validator.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadDrillCopySecretsOnly',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [`arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:rds!*`],
        conditions: {
          StringLike: {
            [`secretsmanager:ResourceTag/aws:rds:${database.cluster ? 'primaryDBClusterArn' : 'primaryDBInstanceArn'}`]: `*:${DRILL_NAME_PREFIX}*`,
          },
        },
      }),
    );
    validator.addToRolePolicy(decryptCopySecretsStatement(database.encryptionKey.keyArn));

    const sweeper = this.sweeperFunction;
    sweeper.addToRolePolicy(describeStatement());
    sweeper.addToRolePolicy(deleteCopiesStatement());
    sweeper.addToRolePolicy(new iam.PolicyStatement({ sid: 'LastDrills', actions: ['states:ListExecutions'], resources: [this.stateMachine.stateMachineArn] }));
    for (const fn of [steps, validator, sweeper]) acknowledgeFunctionFindings(fn, fn === sweeper ? 'EventBridge Scheduler retries it and the next hour runs it again' : 'Step Functions calls it synchronously and retries it');
  }

  private drillMetric(metricName: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    // The exact dimension set the drill's Lambdas emit: Powertools adds `service` to each metric.
    return new cloudwatch.Metric({ namespace: DRILL_NAMESPACE, metricName, dimensionsMap: { service: DRILL_METRICS_SERVICE, Database: this.databaseLabel }, ...options });
  }

  /** 1 when a drill succeeded, 0 when it failed (per drill, Sum). */
  public metricDrillSucceeded(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.drillMetric('DrillSucceeded', { statistic: 'Sum', period: Duration.hours(1), ...options });
  }

  /** Failed drills (Sum). */
  public metricDrillFailed(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.drillMetric('DrillFailed', { statistic: 'Sum', period: Duration.hours(1), ...options });
  }

  /** Restore start to validated copy, seconds. */
  public metricRtoSeconds(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.drillMetric('RtoSeconds', { statistic: 'Maximum', period: Duration.days(1), ...options });
  }

  /** Restore target minus the newest write in the copy, seconds. */
  public metricRpoSeconds(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.drillMetric('RpoSeconds', { statistic: 'Maximum', period: Duration.days(1), ...options });
  }

  /** Days since the last successful drill, published hourly by the sweeper. */
  public metricDaysSinceLastSuccess(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.drillMetric('DaysSinceLastSuccess', { statistic: 'Maximum', period: Duration.hours(1), ...options });
  }
}
