import { type CfnElement, CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import * as path from 'node:path';
import { acknowledge, acknowledgeWildcards } from '../private/acknowledge';
import { encryptedLogGroup } from '../private/encryption';
import { acknowledgeFunctionFindings, acknowledgeProviderFindings, shipshapeFunction } from '../private/node-function';

/** The longest migration the first deploy waits for: the Provider framework waits an hour at most, less its margin. */
export const FIRST_MIGRATION_MAX_TIMEOUT = Duration.minutes(55);

export interface FirstMigrationProps {
  readonly cluster: ecs.ICluster;
  /** The migration task definition; the stack's first revision of it runs. */
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly containerName: string;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  /** The migration container's log group and awslogs stream prefix, named in every failure. */
  readonly logGroup: logs.ILogGroup;
  readonly logStreamPrefix: string;
  /** How long the migration may run before it is stopped and the create fails (at most 55 minutes). */
  readonly timeout: Duration;
  /** Encrypts the functions' logs and environment; must allow CloudWatch Logs. */
  readonly key: kms.IKey;
}

/**
 * Runs the migration task once, when the stack is created, and fails the create unless it exits 0:
 * the service depends on it, so no task takes traffic before the schema exists. Later releases
 * migrate through the pipeline; Update and Delete do nothing.
 *
 * The Provider framework polls the task (`isComplete` every 15 s, a Step Functions waiter), so no
 * Lambda sleeps. The resource's properties name the task definition family, not a revision: a
 * release that registers a new revision leaves this resource alone.
 */
export class FirstMigration extends Construct {
  /** The custom resource; make resources that need the schema depend on it. */
  public readonly resource: CustomResource;
  /** Starts the task (onEvent). */
  public readonly startFunction: lambda.Function;
  /** Watches the task, and stops it on a timeout or an error (isComplete). */
  public readonly waitFunction: lambda.Function;

  constructor(scope: Construct, id: string, props: FirstMigrationProps) {
    super(scope, id);
    const timeout = props.timeout;
    if (!Token.isUnresolved(timeout.toSeconds()) && timeout.toSeconds() > FIRST_MIGRATION_MAX_TIMEOUT.toSeconds()) {
      throw new Error(
        `FirstMigration: migration.timeout (${timeout.toMinutes()} min) is over the ${FIRST_MIGRATION_MAX_TIMEOUT.toMinutes()} minutes a first deploy can wait for it; ` +
          'shorten migration.timeout or set migration.runOnFirstDeploy to false',
      );
    }
    const stack = Stack.of(this);
    const logRetention = logs.RetentionDays.ONE_YEAR;
    this.startFunction = shipshapeFunction(this, 'Start', {
      entry: path.join(__dirname, 'runtime', 'first-migration-start.lambda.ts'),
      description: 'shipshape first deploy: starts the database migration task before the service is created',
      key: props.key,
      logRetention,
    });
    this.waitFunction = shipshapeFunction(this, 'Wait', {
      entry: path.join(__dirname, 'runtime', 'first-migration-wait.lambda.ts'),
      description: 'shipshape first deploy: waits for the database migration task to stop, stops it on a timeout',
      key: props.key,
      logRetention,
    });
    this.grant(props, stack);

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.startFunction,
      isCompleteHandler: this.waitFunction,
      queryInterval: Duration.seconds(15),
      // The wait function's own timeout fires first and stops the task; this is the framework's backstop.
      totalTimeout: timeout.plus(Duration.minutes(5)),
      logGroup: encryptedLogGroup(this, 'ProviderLogs', { key: props.key, retention: logRetention }),
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: {
        destination: encryptedLogGroup(this, 'WaiterLogs', { key: props.key, retention: logRetention }),
        level: sfn.LogLevel.ALL,
      },
    });
    this.acknowledgeFindings(provider, props, stack);

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::ShipshapeFirstMigration',
      properties: {
        Cluster: props.cluster.clusterArn,
        TaskDefinitionFamily: props.taskDefinition.family,
        Subnets: props.cluster.vpc.selectSubnets(props.subnets).subnetIds,
        SecurityGroups: [props.securityGroup.securityGroupId],
        ContainerName: props.containerName,
        LogGroup: props.logGroup.logGroupName,
        LogStreamPrefix: props.logStreamPrefix,
        TimeoutMinutes: timeout.toMinutes(),
      },
    });
    // The family names no revision: the revision must exist first. The security group's children
    // include the rules that let the task reach the database (added to it after this construct).
    this.resource.node.addDependency(props.taskDefinition, props.securityGroup);
  }

  /** RunTask of this family on this cluster only, passing only its two roles to ECS; describe and stop this cluster's tasks. */
  private grant(props: FirstMigrationProps, stack: Stack): void {
    const cluster = { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } };
    const task = props.taskDefinition;
    const family = stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${task.family}:*` });
    // DescribeTaskDefinition has no resource-level permissions (Service Authorization Reference).
    this.startFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] }));
    this.startFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:RunTask'], resources: [family], conditions: cluster }));
    this.startFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [task.taskRole.roleArn, task.obtainExecutionRole().roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
    const tasks = stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${props.cluster.clusterName}/*` });
    this.waitFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTasks', 'ecs:StopTask'], resources: [tasks], conditions: cluster }));
  }

  private acknowledgeFindings(provider: cr.Provider, props: FirstMigrationProps, stack: Stack): void {
    const invocation = 'The Provider framework calls it synchronously during the stack create';
    for (const fn of [this.startFunction, this.waitFunction]) {
      acknowledgeFunctionFindings(fn, invocation);
      acknowledge(fn, 'NIST.800.53.R5-LambdaInsideVPC', 'It calls only the ECS API (the migration task itself runs in the VPC); it reaches nothing in the VPC.');
    }
    acknowledgeProviderFindings(provider, this.startFunction);
    const startPolicy = this.startFunction.role?.node.tryFindChild('DefaultPolicy');
    acknowledge(startPolicy, 'AwsSolutions-IAM5[Resource::*]', 'ecs:DescribeTaskDefinition has no resource-level permissions; RunTask is limited to the migration family on this cluster.');
    // The ARNs exactly as `grant` builds them, so the findings carry the stack's own region and account.
    acknowledgeWildcards(
      startPolicy,
      [stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${props.taskDefinition.family}:*` })],
      'The wildcard is the revision number of the migration task definition family, on this cluster only (condition ecs:cluster).',
    );
    acknowledgeWildcards(
      this.waitFunction.role?.node.tryFindChild('DefaultPolicy'),
      [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${props.cluster.clusterName}/*` })],
      'Task ids are random: the function may describe and stop tasks of this one cluster (condition ecs:cluster), the migration task it waits for.',
    );
    // The Provider framework's own functions and waiter: each may invoke any version of the functions it relays to.
    const versions = 'The wildcard covers versions of the one function the Provider framework relays to.';
    const arnOf = (fn: lambda.IFunction) => `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`;
    const framework = ['framework-onEvent', 'framework-isComplete', 'framework-onTimeout'].map((id) => provider.node.tryFindChild(id) as lambda.Function | undefined);
    for (const fn of framework.filter((f) => f !== undefined)) {
      if (fn.node.id !== 'framework-onEvent') {
        acknowledgeFunctionFindings(fn, 'The Provider framework\'s waiter state machine calls it synchronously');
        acknowledge(fn, 'NIST.800.53.R5-LambdaInsideVPC', 'A Provider framework function: it invokes the wait function and answers CloudFormation; it reaches nothing in the VPC.');
      }
      for (const target of [this.startFunction, this.waitFunction]) acknowledge(fn, arnOf(target), versions);
    }
    const waiter = provider.node.tryFindChild('waiter-state-machine');
    for (const fn of framework.slice(1).filter((f) => f !== undefined)) acknowledge(waiter, arnOf(fn), versions);
    acknowledge(
      waiter,
      'AwsSolutions-IAM5[Resource::*]',
      'Step Functions logging needs the CloudWatch Logs log-delivery actions, which have no resource-level permissions (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html).',
    );
    acknowledge(
      waiter,
      'AwsSolutions-SF2',
      'The Provider framework does not expose X-Ray tracing of its waiter; it runs once per stack create, and every step is logged (level ALL) to its encrypted log group.',
    );
  }
}
