import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledge } from '../private/acknowledge';
import { encryptedLogGroup } from '../private/encryption';
import { newValueEventPattern, rotationEventPattern } from './rotation-events';

export interface RotationRolloutProps {
  /** The service whose tasks read the secrets at start. */
  readonly service: ecs.IBaseService;
  /** Secrets rotated by Secrets Manager: a successful rotation starts a rollout. */
  readonly rotatedSecrets: secretsmanager.ISecret[];
  /**
   * Secrets an operator sets: a new value (`put-secret-value`) starts a rollout.
   * @default - none
   */
  readonly operatorSecrets?: secretsmanager.ISecret[];
  /** Encrypts the state machine's log; must allow CloudWatch Logs. */
  readonly encryptionKey: kms.IKey;
  /**
   * Retention of the state machine's log.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Redeploys a service after its secrets change, so running tasks (which read secrets only at
 * start) move to the new value. The redeploy is an ECS `UpdateService` with
 * `forceNewDeployment`: the service's own deployment path with its alarms and rollback, and no
 * change to the task definition, so CloudFormation still describes what runs.
 *
 * With multi-user rotation the previous login stays valid until the next rotation, so old tasks
 * keep working while new ones start.
 */
export class RotationRollout extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly rules: events.Rule[];

  constructor(scope: Construct, id: string, props: RotationRolloutProps) {
    super(scope, id);
    const operatorSecrets = props.operatorSecrets ?? [];
    if (props.rotatedSecrets.length + operatorSecrets.length === 0) {
      throw new Error('RotationRollout: give at least one secret in rotatedSecrets or operatorSecrets');
    }
    const redeploy = new tasks.CallAwsService(this, 'Redeploy', {
      service: 'ecs',
      action: 'updateService',
      parameters: {
        Cluster: props.service.cluster.clusterArn,
        Service: props.service.serviceArn,
        ForceNewDeployment: true,
      },
      iamResources: [props.service.serviceArn],
    });
    redeploy.addRetry({ errors: ['Ecs.EcsException', 'Ecs.ServerException', 'States.Timeout'], maxAttempts: 3, interval: Duration.seconds(20) });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(redeploy),
      comment: 'Redeploys the service so its tasks read the new secret values',
      timeout: Duration.minutes(5),
      tracingEnabled: true,
      logs: {
        destination: encryptedLogGroup(this, 'Logs', {
          key: props.encryptionKey,
          retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    acknowledge(
      this.stateMachine.role,
      'NIST.800.53.R5-IAMNoInlinePolicy',
      'CDK writes the state machine grants (ecs:UpdateService on this one service, logs and X-Ray) as the role default policy.',
    );
    acknowledge(
      this.stateMachine.role,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray trace submission and CloudWatch Logs delivery (log delivery APIs) do not support resource-level permissions.',
    );

    const role = new iam.Role(this, 'EventsRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'EventBridge starts the rollout state machine',
    });
    this.stateMachine.grantStartExecution(role);
    acknowledge(role, 'NIST.800.53.R5-IAMNoInlinePolicy', 'CDK writes the one grant (states:StartExecution on this state machine) as the role default policy.');
    const target = new targets.SfnStateMachine(this.stateMachine, { role });
    this.rules = [];
    if (props.rotatedSecrets.length > 0) {
      this.rules.push(
        new events.Rule(this, 'RotationSucceeded', {
          description: 'A secret rotated: redeploy the service so new tasks read the new value',
          eventPattern: rotationEventPattern('RotationSucceeded', props.rotatedSecrets),
          targets: [target],
        }),
      );
    }
    if (operatorSecrets.length > 0) {
      this.rules.push(
        new events.Rule(this, 'NewValue', {
          description: 'An operator set a new secret value: redeploy the service so new tasks read it',
          eventPattern: newValueEventPattern(operatorSecrets),
          targets: [target],
        }),
      );
    }
  }
}
