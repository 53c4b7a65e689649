import { ArnFormat, Aws, type CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { acknowledge, acknowledgeWildcards } from '../private/acknowledge';
import { acknowledgeFunctionFindings } from '../private/node-function';
import type { ReleasePipeline } from './release-pipeline';

const S3_ARTIFACT_ACTIONS = ['Action::s3:Abort*', 'Action::s3:DeleteObject*', 'Action::s3:GetBucket*', 'Action::s3:GetObject*', 'Action::s3:List*'];
const KMS_ACTIONS = ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'];

function ackAll(construct: IConstruct | undefined, findings: string[], reason: string): void {
  for (const finding of findings) acknowledge(construct, `AwsSolutions-IAM5[${finding}]`, reason);
}

/**
 * The policy findings a `ReleasePipeline` raises by design, each acknowledged where it arises. A
 * wildcard ARN is named from the expression its policy holds (`Stack.formatArn` or `Aws.*`), so the
 * finding carries the stack's own region and account when the stack has an explicit environment.
 */
export function acknowledgePipelineFindings(pipeline: ReleasePipeline): void {
  const stack = Stack.of(pipeline);
  const logicalId = (c: IConstruct) => stack.getLogicalId(c.node.defaultChild as CfnElement);
  const fn = pipeline.releaseFunction;
  acknowledgeFunctionFindings(fn, 'CodePipeline invokes it synchronously and fails the action on an error');
  acknowledge(fn, 'NIST.800.53.R5-LambdaInsideVPC', 'The release step calls only the CloudFormation, ECS and CodePipeline APIs; it reaches nothing in the VPC.');

  for (const policy of pipeline.node.findAll().filter((c) => c.node.id === 'DefaultPolicy')) {
    acknowledge(policy, 'NIST.800.53.R5-IAMNoInlinePolicy', 'CDK writes the grants of this one pipeline role, each scoped to this pipeline\'s bucket, key, function or repository, as its default policy.');
  }
  const artifacts = `Resource::<${logicalId(pipeline.artifactBucket)}.Arn>/*`;
  const stepArn = `Resource::<${logicalId(fn)}.Arn>:*`;
  for (const policy of pipeline.pipeline.node.findAll().filter((c) => c.node.id === 'DefaultPolicy')) {
    ackAll(policy, [...S3_ARTIFACT_ACTIONS, ...KMS_ACTIONS, artifacts], 'Pipeline roles read and write objects of this pipeline\'s own artifact bucket under the pipeline\'s key (its own, or the one it is given); CDK grants the object-level actions as prefixes.');
    ackAll(policy, [stepArn], 'The wildcard covers versions and aliases of the one release step function.');
  }
  for (const stage of ['Migrate', 'Deploy']) {
    const policy = pipeline.pipeline.node.tryFindChild(stage)?.node.findAll().find((c) => c.node.id === 'DefaultPolicy');
    ackAll(policy, ['Resource::*'], 'CodePipeline\'s Lambda action lists functions (lambda:ListFunctions has no resource-level permissions); invocation is limited to the release step.');
  }

  const stepPolicy = fn.role?.node.tryFindChild('DefaultPolicy');
  ackAll(stepPolicy, ['Resource::*'], 'codepipeline:PutJobSuccessResult and PutJobFailureResult have no resource-level permissions.');
  acknowledgeWildcards(
    stepPolicy,
    [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stack.stackName}/*` })],
    'The wildcard is the stack id suffix of this one stack.',
  );
  const deployPolicy = pipeline.deployRole.node.tryFindChild('DefaultPolicy');
  ackAll(deployPolicy, ['Resource::*'], 'ecs:DeregisterTaskDefinition and DescribeTaskDefinition have no resource-level permissions (Service Authorization Reference); RegisterTaskDefinition is on * because its resource-level support is unconfirmed, and it can only register revisions whose roles this role may pass.');
  const service = pipeline.service;
  acknowledgeWildcards(
    deployPolicy,
    [`arn:${Aws.PARTITION}:ecs:${Aws.REGION}:${Aws.ACCOUNT_ID}:service-deployment/${service.cluster.clusterName}/${service.service.serviceName}/*`],
    'The wildcard is the deployment id of this one service: CloudFormation follows, and on a cancelled update stops, the deployment its update starts.',
  );
  acknowledgeWildcards(
    deployPolicy,
    [`arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter/cdk-bootstrap/*`],
    'CloudFormation reads the CDK bootstrap version parameter (its qualifier is not known at synth time) on every update.',
  );
  const task = pipeline.migrationTaskDefinition;
  const families = [task, pipeline.service.taskDefinition]
    .filter((t) => t !== undefined)
    .map((t) => stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${t.family}:*` }));
  acknowledgeWildcards(deployPolicy, families, 'The wildcard is the revision number of this one task definition family: each release registers a new revision.');
  acknowledgeWildcards(stepPolicy, families, 'The wildcard is the revision number of the migration task definition family: each release registers a new revision.');
  acknowledgeWildcards(
    stepPolicy,
    [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${pipeline.service.cluster.clusterName}/*` })],
    'Task ids are random: the release step may describe and stop tasks of this one cluster (condition ecs:cluster).',
  );
  if (task) {
    acknowledge(task, 'AwsSolutions-ECS2', 'The environment carries non-secret settings only (the database host and port); the login is injected from Secrets Manager.');
    ackAll(task.executionRole?.node.tryFindChild('DefaultPolicy'), ['Resource::*'], 'ecr:GetAuthorizationToken has no resource-level permissions; image pulls are scoped to the repository.');
  }
  const build = pipeline.buildProject;
  if (build) {
    const buildPolicy = build.role?.node.tryFindChild('DefaultPolicy');
    const buildReason =
      'CDK grants the build its own artifacts, logs and report groups (prefixes of this project) and ecr:GetAuthorizationToken, which has no resource-level permissions; pushes are scoped to the repository.';
    ackAll(buildPolicy, [...S3_ARTIFACT_ACTIONS, ...KMS_ACTIONS, artifacts, 'Resource::*'], buildReason);
    // The log group and report group ARNs as aws-codebuild's Project grants them (Stack.formatArn).
    acknowledgeWildcards(
      buildPolicy,
      [
        `${stack.formatArn({ service: 'logs', resource: 'log-group', arnFormat: ArnFormat.COLON_RESOURCE_NAME, resourceName: `/aws/codebuild/${build.projectName}` })}:*`,
        stack.formatArn({ service: 'codebuild', resource: 'report-group', resourceName: `${build.projectName}-*` }),
      ],
      buildReason,
    );
    acknowledge(build, 'AwsSolutions-CB3', 'docker build needs privileged mode; the project runs only the repository\'s own tests and image build.');
  }
  acknowledge(pipeline.artifactBucket, 'AwsSolutions-S1', 'Pipeline artifacts are transient (30 days) and every access is in CloudTrail through the pipeline roles; server access logs would add a bucket for no investigation need.');
  acknowledge(pipeline.artifactBucket, 'NIST.800.53.R5-S3BucketLoggingEnabled', 'See AwsSolutions-S1 on this bucket.');
  acknowledge(pipeline.artifactBucket, 'NIST.800.53.R5-S3BucketReplicationEnabled', 'Artifacts are rebuilt from the source by the next release; replicating them protects nothing.');
}
