import { Aws, Stack } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { ReleasePipelineProps } from './release-pipeline-props';

/**
 * The role CloudFormation assumes for a release: an update that changes only an image version
 * registers a task definition revision (and deregisters the old one), updates the service, and
 * passes the roles the service and tasks already use. Nothing else in the stack changes, so
 * nothing else is allowed.
 */
export function deployRole(scope: Construct, props: ReleasePipelineProps, migrationTask?: ecs.TaskDefinition): iam.Role {
  const stack = Stack.of(scope);
  const service = props.service;
  const role = new iam.Role(scope, 'DeployRole', {
    assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
    description: 'CloudFormation role for shipshape releases: image version changes only',
  });
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'TaskDefinitionRevisions',
      // These ECS calls have no resource-level permissions.
      actions: ['ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition', 'ecs:DescribeTaskDefinition'],
      resources: ['*'],
    }),
  );
  const taskDefinitions = [service.taskDefinition, ...(migrationTask ? [migrationTask] : [])];
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'TagRevisions',
      actions: ['ecs:TagResource', 'ecs:ListTagsForResource'],
      resources: taskDefinitions.map((t) => stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${t.family}:*` })),
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'UpdateTheService',
      actions: ['ecs:UpdateService', 'ecs:DescribeServices', 'ecs:TagResource', 'ecs:ListTagsForResource'],
      resources: [service.service.serviceArn],
    }),
  );
  const taskRoles = taskDefinitions.flatMap((t) => [t.taskRole.roleArn, t.obtainExecutionRole().roleArn]);
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'PassTaskRoles',
      actions: ['iam:PassRole'],
      resources: taskRoles,
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }),
  );
  const blueGreen = service.blueGreen;
  if (blueGreen) {
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
  return role;
}
