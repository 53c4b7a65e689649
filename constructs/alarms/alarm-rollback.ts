import { Aws, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import * as path from 'node:path';
import { acknowledge } from '../private/acknowledge';
import { acknowledgeFunctionFindings, shipshapeFunction } from '../private/node-function';
import { admitServicePublishers } from '../private/topic-publishers';

export interface AlarmRollbackProps {
  /** The service whose running deployment is stopped with rollback. */
  readonly service: ecs.IBaseService;
  /**
   * The alarms that stop it the moment one goes to ALARM: the service's deployment alarms
   * (`ServiceAlarms.rollbackAlarms()`).
   */
  readonly alarms: cloudwatch.IAlarm[];
  /** Where the function's failure alarms notify (ALARM and OK). */
  readonly topic: sns.ITopic;
  /** Encrypts the function's log group and environment; must allow CloudWatch Logs. */
  readonly encryptionKey: kms.IKey;
  /**
   * Retention of the function's log.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/** How long an undelivered or failing alarm event is retried: a deployment bakes for minutes to hours. */
const MAX_EVENT_AGE = Duration.hours(1);

/**
 * Rolls a deployment back on the alarm's own clock. CloudWatch sends EventBridge an event when an
 * alarm changes state (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html);
 * a rule that matches these alarms going to ALARM invokes a function that stops the service's
 * running deployment with `StopServiceDeployment` and `stopType: ROLLBACK`
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopServiceDeployment.html), the call
 * `shipshape rollback` makes: traffic flips back to the previous revision, and the CloudFormation
 * update that started the deployment fails and rolls the stack back. ECS's own alarm watching
 * (`deploymentAlarms`) stays on as the safety net; whichever acts first, the other finds the
 * deployment rolling back and does nothing.
 *
 * Failed deliveries and failed invocations are retried for up to an hour, then land in a
 * dead-letter queue; an alarm notifies the topic when the function fails and when a dead letter
 * arrives.
 */
export class AlarmRollback extends Construct {
  public readonly function: lambda.Function;
  public readonly rule: events.Rule;
  /** Alarm events that could not be delivered to, or handled by, the function. */
  public readonly deadLetters: sqs.Queue;
  /** The function failed (it throws when a stop fails for a reason other than "already rolling back"). */
  public readonly functionFailed: cloudwatch.Alarm;
  /** An alarm event was given up on. */
  public readonly deadLetterArrived: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AlarmRollbackProps) {
    super(scope, id);
    if (props.alarms.length === 0) {
      throw new Error('AlarmRollback.alarms: give at least one alarm (the service\'s deployment alarms, e.g. ServiceAlarms.rollbackAlarms())');
    }
    const { service } = props;

    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.function = shipshapeFunction(this, 'Function', {
      entry: path.join(__dirname, 'runtime', 'alarm-rollback.lambda.ts'),
      description: 'Stops the service\'s running deployment with rollback when one of its rollback alarms goes to ALARM',
      key: props.encryptionKey,
      logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      timeout: Duration.seconds(30),
      environment: { SERVICE_ARN: service.serviceArn, CLUSTER_ARN: service.cluster.clusterArn },
    });
    // EventBridge invokes asynchronously: Lambda retries a failed invocation twice, then keeps the event here.
    // Lambda sends to a function's dead-letter queue with the function's role
    // (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq).
    (this.function.node.defaultChild as lambda.CfnFunction).deadLetterConfig = { targetArn: this.deadLetters.queueArn };
    this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'KeepFailedEvents', actions: ['sqs:SendMessage'], resources: [this.deadLetters.queueArn] }));
    this.function.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: MAX_EVENT_AGE });
    this.grantStop(this.function, service);

    this.rule = new events.Rule(this, 'Rule', {
      description: 'A rollback alarm of the service went to ALARM: stop its running deployment with rollback',
      eventPattern: alarmWentToAlarmPattern(props.alarms),
      targets: [new targets.LambdaFunction(this.function, { deadLetterQueue: this.deadLetters, retryAttempts: 8, maxEventAge: MAX_EVENT_AGE })],
    });

    admitServicePublishers(props.topic, ['cloudwatch-alarms']);
    this.functionFailed = new cloudwatch.Alarm(this, 'FunctionFailed', {
      metric: this.function.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'The alarm rollback function failed: a deployment a rollback alarm should have stopped may still run (ECS\'s own alarm watching rolls it back too). Look first at the function log, then `shipshape status`.',
    });
    this.deadLetterArrived = new cloudwatch.Alarm(this, 'DeadLetterArrived', {
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'An alarm event was given up on after an hour of retries: its deployment was not stopped by the alarm rollback function. Look first at the messages in the dead-letter queue and the function log.',
    });
    for (const alarm of [this.functionFailed, this.deadLetterArrived]) {
      alarm.addAlarmAction(new cloudwatchActions.SnsAction(props.topic));
      alarm.addOkAction(new cloudwatchActions.SnsAction(props.topic));
    }
    this.acknowledgeFindings(service);
  }

  /**
   * Exactly the calls the function makes, on this one service and its deployments: list the running
   * deployments, stop one, and describe it when ECS refuses the stop. ECS authorizes these on the
   * service and on the service-deployment ARN
   * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html,
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment-permissions.html).
   */
  private grantStop(fn: lambda.Function, service: ecs.IBaseService): void {
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ListDeploymentsOfTheService', actions: ['ecs:ListServiceDeployments'], resources: [service.serviceArn] }));
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'StopDeploymentsOfTheService',
        actions: ['ecs:StopServiceDeployment', 'ecs:DescribeServiceDeployments'],
        resources: [service.serviceArn, serviceDeploymentsArn(service)],
      }),
    );
  }

  private acknowledgeFindings(service: ecs.IBaseService): void {
    acknowledgeFunctionFindings(this.function, 'EventBridge invokes it asynchronously; a failed invocation is retried and then kept in the dead-letter queue');
    acknowledge(this.function, 'NIST.800.53.R5-LambdaInsideVPC', 'The function calls only the ECS API; it reaches nothing in the VPC.');
    const policy = this.function.role?.node.tryFindChild('DefaultPolicy');
    acknowledge(
      policy,
      `AwsSolutions-IAM5[${nagResource(this, serviceDeploymentsArn(service))}]`,
      'The wildcard is the deployment id of this one service: deployment ids are made by ECS when a deployment starts.',
    );
    acknowledge(
      this.deadLetters,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue of the alarm rollback rule target and function.',
    );
  }
}

/** The deployments of one service: `service-deployment/<cluster>/<service>/<id>`. */
function serviceDeploymentsArn(service: ecs.IBaseService): string {
  return `arn:${Aws.PARTITION}:ecs:${Aws.REGION}:${Aws.ACCOUNT_ID}:service-deployment/${service.cluster.clusterName}/${service.serviceName}/*`;
}

/**
 * These alarms going to ALARM. An event's `resources` holds the alarm's ARN, and a pattern value
 * matches an event array when the two intersect
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html).
 */
export function alarmWentToAlarmPattern(alarms: cloudwatch.IAlarm[]): events.EventPattern {
  return {
    source: ['aws.cloudwatch'],
    detailType: ['CloudWatch Alarm State Change'],
    resources: alarms.map((a) => a.alarmArn),
    detail: { state: { value: ['ALARM'] } },
  };
}

/** A resource as cdk-nag names it in a finding: `<LogicalId>`, `<LogicalId.Attribute>`, `<AWS::Partition>`. */
function nagResource(scope: Construct, value: string): string {
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as { Ref?: string; 'Fn::GetAtt'?: string[]; 'Fn::Join'?: [string, unknown[]] };
    if (o.Ref) return `<${o.Ref}>`;
    if (o['Fn::GetAtt']) return `<${o['Fn::GetAtt'].join('.')}>`;
    if (o['Fn::Join']) return o['Fn::Join'][1].map(render).join(o['Fn::Join'][0]);
    return JSON.stringify(v);
  };
  return `Resource::${Token.isUnresolved(value) ? render(Stack.of(scope).resolve(value)) : value}`;
}
