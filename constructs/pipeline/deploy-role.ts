import { Aws, type CfnResource, Stack, Token } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct, IConstruct } from 'constructs';
import { acknowledge } from '../private/acknowledge';
import type { ReleasePipelineProps } from './release-pipeline-props';

/**
 * The role CloudFormation assumes for a release. An update that changes only the image version
 * parameters replaces the task definitions (ContainerDefinitions is create-only: a new revision is
 * registered, the old one deregistered) and updates the service in place; nothing else in the stack
 * changes. The role may make the calls the CloudFormation resource handlers of those two types make
 * (`handlers.create/delete.permissions` of AWS::ECS::TaskDefinition, `handlers.update.permissions`
 * of AWS::ECS::Service, in the resource schemas AWS publishes), pass the roles they name, and read
 * what CloudFormation resolves while it updates: the outputs of the stacks the template reads with
 * Fn::GetStackOutput and the CDK bootstrap version parameter. Resources are scoped as narrowly as the
 * Service Authorization Reference allows for each action.
 */
export function deployRole(scope: Construct, props: ReleasePipelineProps, migrationTask?: ecs.TaskDefinition): iam.Role {
  const stack = Stack.of(scope);
  const service = props.service;
  const role = new iam.Role(scope, 'DeployRole', {
    assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
    description: 'CloudFormation role for shipshape releases: image version changes only',
  });
  const taskDefinitions = [service.taskDefinition, ...(migrationTask ? [migrationTask] : [])];
  const revisions = taskDefinitions.map((t) => stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${t.family}:*` }));
  const taskRoles = taskDefinitions.flatMap((t) => [t.taskRole.roleArn, t.obtainExecutionRole().roleArn]);

  // AWS::ECS::TaskDefinition create handler, for the new revision (tags are applied on register).
  role.addToPolicy(new iam.PolicyStatement({ sid: 'TagRevisions', actions: ['ecs:TagResource'], resources: revisions }));
  // Create and delete handlers. DescribeTaskDefinition and DeregisterTaskDefinition have no
  // resource-level permissions. RegisterTaskDefinition is listed with the task-definition resource
  // type, but resource-level support for it is still an open request (aws/containers-roadmap#929),
  // and a release that cannot register its revision fails; on `*` it registers only revisions whose
  // roles it may pass (PassTaskRoles below), so it gains nothing it could not do already.
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'RegisterDescribeAndDeregisterRevisions',
      actions: ['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition', 'ecs:DeregisterTaskDefinition'],
      resources: ['*'],
    }),
  );
  // Create and delete handlers read the roles the task definition names.
  role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadTaskRoles', actions: ['iam:GetRole'], resources: taskRoles }));
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'PassTaskRoles',
      actions: ['iam:PassRole'],
      resources: taskRoles,
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }),
  );

  // AWS::ECS::Service update handler: update the service, follow (and on a cancelled update stop)
  // its deployment, reconcile its tags.
  const serviceArn = service.service.serviceArn;
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'UpdateTheService',
      actions: ['ecs:UpdateService', 'ecs:DescribeServices', 'ecs:TagResource', 'ecs:ListTagsForResource'],
      resources: [serviceArn],
    }),
  );
  role.addToPolicy(new iam.PolicyStatement({ sid: 'UntagTheService', actions: ['ecs:UntagResource'], resources: [serviceArn] }));
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'FollowServiceDeployments',
      actions: ['ecs:ListServiceDeployments', 'ecs:DescribeServiceDeployments', 'ecs:StopServiceDeployment'],
      resources: [serviceArn, serviceDeployments(service.cluster, service.service)],
    }),
  );
  const blueGreen = service.blueGreen;
  if (blueGreen) {
    // The service names the ECS infrastructure role of its alternate target and the lifecycle hook role.
    const serviceRoles = [blueGreen.infrastructureRole.roleArn, blueGreen.smokeTestHookRole.roleArn];
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PassBlueGreenRoles',
        actions: ['iam:PassRole'],
        resources: serviceRoles,
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs.amazonaws.com' } },
      }),
    );
  }
  // The CDK bootstrap version check reads its SSM parameter on every stack operation.
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'BootstrapVersion',
      actions: ['ssm:GetParameters'],
      resources: [`arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter/cdk-bootstrap/*`],
    }),
  );
  // The test route rule resolves its secret header value on stack operations.
  service.blueGreen?.testRouteToken.grantRead(role);
  allowReadingProducerStacks(role, stack);
  return role;
}

/** The deployments of one service: `service-deployment/<cluster>/<service>/<id>`. */
function serviceDeployments(cluster: ecs.ICluster, service: ecs.IService): string {
  return `arn:${Aws.PARTITION}:ecs:${Aws.REGION}:${Aws.ACCOUNT_ID}:service-deployment/${cluster.clusterName}/${service.serviceName}/*`;
}

/**
 * `cloudformation:DescribeStacks` on each stack `consumer` depends on. A weak cross-stack reference
 * (`@aws-cdk/core:defaultCrossStackReferences: weak`) is rendered as Fn::GetStackOutput, which
 * CloudFormation resolves with the stack's execution role when no RoleArn is given: "RoleArn ... The
 * ARN of an IAM role that has cloudformation:DescribeStacks permissions on the referenced stack ...
 * Defaults to the execution role of the current stack"
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html).
 *
 * aws-cdk-lib makes the producer of every reference a dependency of the consumer, but only while it
 * prepares the app for synthesis, after every constructor and aspect has run; explicit
 * `addStackDependency` calls count too (a read of a stack that is not referenced is harmless). So the
 * grant, and the acknowledgment of its stack id wildcard, are added by a validation hook of the role:
 * validation runs after that preparation, before the templates are written and the policy packs run.
 * Within one account only: across accounts aws-cdk-lib names a role in Fn::GetStackOutput that trusts
 * the bootstrap execution role alone, so those references cannot be resolved by a release.
 */
function allowReadingProducerStacks(role: iam.Role, consumer: Stack): void {
  const granted = new Set<Stack>();
  role.node.addValidation({
    validate: () => {
      const errors: string[] = [];
      for (const producer of consumer.dependencies.filter((p) => !p.nested && !granted.has(p))) {
        if (!Token.isUnresolved(producer.account) && !Token.isUnresolved(consumer.account) && producer.account !== consumer.account) {
          errors.push(
            `ReleasePipeline: stack ${consumer.stackName} depends on ${producer.stackName} in account ${producer.account}: aws-cdk-lib reads ` +
              'outputs across accounts through a role only the CDK bootstrap execution role may assume, not the release role; keep both stacks in one account',
          );
          continue;
        }
        granted.add(producer);
        // Fn::GetStackOutput names the producer's region: the deploy region for environment-agnostic stacks.
        const region = Token.isUnresolved(producer.region) ? Aws.REGION : producer.region;
        role.addToPolicy(
          new iam.PolicyStatement({
            sid: `ReadOutputsOf${producer.stackName.replace(/[^A-Za-z0-9]/g, '')}`,
            actions: ['cloudformation:DescribeStacks'],
            resources: [`arn:${Aws.PARTITION}:cloudformation:${region}:${Aws.ACCOUNT_ID}:stack/${producer.stackName}/*`],
          }),
        );
        const regionInFinding = Token.isUnresolved(producer.region) ? '<AWS::Region>' : producer.region;
        acknowledgeLate(
          role.node.findChild('DefaultPolicy'),
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:${regionInFinding}:<AWS::AccountId>:stack/${producer.stackName}/*]`,
          `The wildcard is the stack id of ${producer.stackName}, whose outputs this stack reads with Fn::GetStackOutput: CloudFormation resolves them with this role.`,
        );
      }
      return errors;
    },
  });
}

/**
 * Acknowledges a finding on `construct` after the aspects have run, and copies it into the template's
 * `cdk_nag` metadata, which the policy packs write in an aspect (so reviewers and `shipshape plan`
 * read it with the others).
 */
function acknowledgeLate(construct: IConstruct, id: string, reason: string): void {
  acknowledge(construct, id, reason);
  const resource = construct.node.defaultChild as CfnResource;
  const nag = resource.getMetadata('cdk_nag') as { rules_to_suppress?: Array<{ id: string; reason: string }> } | undefined;
  if (nag?.rules_to_suppress && !nag.rules_to_suppress.some((rule) => rule.id === id)) nag.rules_to_suppress.push({ id, reason });
}
