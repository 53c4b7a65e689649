import {
  CancelUpdateStackCommand,
  CloudFormationClient,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  type StackStatus,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { BatchGetImageCommand, DescribeImagesCommand, ECRClient, ImageAlreadyExistsException, ImageNotFoundException, PutImageCommand } from '@aws-sdk/client-ecr';
import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { type ReleaseTarget, releaseStep } from '../../../../constructs/pipeline/runtime/release-job';

const cfn = mockClient(CloudFormationClient);
const ecs = mockClient(ECSClient);
const ecr = mockClient(ECRClient);
let clock: Date;
const clients = () => ({
  cloudformation: new CloudFormationClient({ region: 'eu-west-1' }),
  ecs: new ECSClient({ region: 'eu-west-1' }),
  ecr: new ECRClient({ region: 'eu-west-1' }),
  now: () => clock,
});

const TARGET: ReleaseTarget = {
  stackName: 'shop-stateless',
  repositoryName: 'shop',
  cloudFormationRoleArn: 'arn:aws:iam::111111111111:role/deploy',
  parameters: { deploy: 'ImageVersion', migrate: 'MigrationImageVersion' },
  updateTimeoutMinutes: 50,
  migration: { cluster: 'cluster-arn', taskDefinitionLogicalId: 'MigrationTask', subnets: ['subnet-a'], securityGroups: ['sg-m'], containerName: 'migrate', timeoutMinutes: 30 },
};
const DIGEST = `@sha256:${'a'.repeat(64)}`;
const EXECUTION = '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
const MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] });

/** The repository holds the image of DIGEST, also tagged v1. */
function repositoryHoldsTheImage(): void {
  ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ repositoryName: 'shop', imageDigest: DIGEST.slice(1), imageTags: ['v1', 'latest'] }] });
  ecr.on(BatchGetImageCommand).resolves({ images: [{ repositoryName: 'shop', imageId: { imageDigest: DIGEST.slice(1) }, imageManifest: MANIFEST, imageManifestMediaType: 'application/vnd.oci.image.index.v1+json' }], failures: [] });
  ecr.on(PutImageCommand).resolves({ image: { imageId: { imageDigest: DIGEST.slice(1), imageTag: `release-${EXECUTION}` } } });
}

function stack(status: StackStatus, reason?: string) {
  return {
    Stacks: [
      {
        StackName: 'shop-stateless',
        CreationTime: new Date(),
        StackStatus: status,
        StackStatusReason: reason,
        Parameters: [
          { ParameterKey: 'ImageVersion', ParameterValue: ':v1' },
          { ParameterKey: 'MigrationImageVersion', ParameterValue: ':v1' },
          { ParameterKey: 'BootstrapVersion', ParameterValue: '/cdk-bootstrap/hnb659fds/version' },
        ],
      },
    ],
  };
}

beforeEach(() => {
  cfn.reset();
  ecs.reset();
  ecr.reset();
  repositoryHoldsTheImage();
  clock = new Date('2026-11-26T12:00:00Z');
});

describe('deploy', () => {
  test('updates only the image version, with the previous template and every other parameter kept, then polls until complete', async () => {
    cfn.on(DescribeStacksCommand).resolvesOnce(stack('UPDATE_COMPLETE')).resolvesOnce(stack('UPDATE_IN_PROGRESS')).resolvesOnce(stack('UPDATE_COMPLETE'));
    cfn.on(UpdateStackCommand).resolves({ StackId: 'id' });
    const first = await releaseStep(clients(), TARGET, { kind: 'deploy', version: DIGEST, executionId: EXECUTION });
    expect(first).toMatchObject({ outcome: 'continue', progress: { phase: 'updating', since: '2026-11-26T12:00:00.000Z' } });
    expect(cfn).toHaveReceivedCommandWith(UpdateStackCommand, {
      StackName: 'shop-stateless',
      UsePreviousTemplate: true,
      RoleARN: TARGET.cloudFormationRoleArn,
      Parameters: [
        { ParameterKey: 'ImageVersion', ParameterValue: DIGEST },
        { ParameterKey: 'MigrationImageVersion', UsePreviousValue: true },
        { ParameterKey: 'BootstrapVersion', UsePreviousValue: true },
      ],
    });
    const progress = first.outcome === 'continue' ? first.progress : undefined;
    expect(await releaseStep(clients(), TARGET, { kind: 'deploy', version: DIGEST, executionId: EXECUTION }, progress)).toMatchObject({ outcome: 'continue', message: 'UPDATE_IN_PROGRESS' });
    expect(await releaseStep(clients(), TARGET, { kind: 'deploy', version: DIGEST, executionId: EXECUTION }, progress)).toEqual({ outcome: 'succeeded', message: `shop-stateless runs ${DIGEST}` });
  });

  test('a rolled-back update (an alarm or the smoke test rolled the deployment back) fails the release with the reason', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_ROLLBACK_COMPLETE', 'Resource handler returned message: "ECS Deployment Circuit Breaker was triggered"'));
    const result = await releaseStep(clients(), TARGET, { kind: 'deploy', version: DIGEST, executionId: EXECUTION }, { phase: 'updating', since: clock.toISOString() });
    expect(result).toEqual({ outcome: 'failed', message: expect.stringMatching(/rolled it back \(UPDATE_ROLLBACK_COMPLETE\): .*Circuit Breaker/) as unknown });
  });

  test('a rollback still in progress is waited for', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_ROLLBACK_IN_PROGRESS'));
    expect(await releaseStep(clients(), TARGET, { kind: 'deploy', version: DIGEST, executionId: EXECUTION }, { phase: 'updating', since: clock.toISOString() })).toMatchObject({ outcome: 'continue' });
  });

  test('an update past its timeout is cancelled (CloudFormation rolls it back) and fails', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_IN_PROGRESS'));
    cfn.on(CancelUpdateStackCommand).resolves({});
    const since = new Date(clock.getTime() - 51 * 60_000).toISOString();
    const result = await releaseStep(clients(), TARGET, { kind: 'deploy', version: DIGEST, executionId: EXECUTION }, { phase: 'updating', since });
    expect(result).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/over 50 minutes: cancelled/) as unknown });
    expect(cfn).toHaveReceivedCommandWith(CancelUpdateStackCommand, { StackName: 'shop-stateless' });
  });

  test('a busy stack is not touched', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_IN_PROGRESS'));
    expect(await releaseStep(clients(), TARGET, { kind: 'deploy', version: DIGEST, executionId: EXECUTION })).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/is busy \(UPDATE_IN_PROGRESS\)/) as unknown });
    expect(cfn).not.toHaveReceivedCommand(UpdateStackCommand);
  });

  test('the same version again is a success with nothing to do', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cfn.on(UpdateStackCommand).rejects(Object.assign(new Error('No updates are to be performed.'), { name: 'ValidationError' }));
    expect(await releaseStep(clients(), TARGET, { kind: 'deploy', version: ':v1', executionId: EXECUTION })).toEqual({ outcome: 'succeeded', message: 'ImageVersion is already :v1: nothing to deploy' });
  });

  test('a malformed version is refused before anything is called', async () => {
    expect(await releaseStep(clients(), TARGET, { kind: 'deploy', version: 'latest' })).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/neither ":tag" nor "@sha256/) as unknown });
    expect(cfn.calls()).toHaveLength(0);
  });

  test('an API error mid-way propagates (the handler fails the job with it)', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cfn.on(UpdateStackCommand).rejects(new Error('Rate exceeded'));
    await expect(releaseStep(clients(), TARGET, { kind: 'deploy', version: DIGEST, executionId: EXECUTION })).rejects.toThrow('Rate exceeded');
  });
});

describe('the deploy tags the image it releases release-<execution id>, before the stack changes', () => {
  beforeEach(() => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cfn.on(UpdateStackCommand).resolves({ StackId: 'id' });
  });

  test('a tag is resolved to its digest, and that manifest is put again with the release tag, then the stack is updated', async () => {
    const result = await releaseStep(clients(), TARGET, { kind: 'deploy', version: ':v1', executionId: EXECUTION });
    expect(result).toMatchObject({ outcome: 'continue' });
    expect(ecr).toHaveReceivedCommandWith(DescribeImagesCommand, { repositoryName: 'shop', imageIds: [{ imageTag: 'v1' }] });
    expect(ecr).toHaveReceivedCommandWith(BatchGetImageCommand, { repositoryName: 'shop', imageIds: [{ imageDigest: DIGEST.slice(1) }] });
    expect(ecr).toHaveReceivedCommandWith(PutImageCommand, {
      repositoryName: 'shop',
      imageManifest: MANIFEST,
      imageManifestMediaType: 'application/vnd.oci.image.index.v1+json',
      imageDigest: DIGEST.slice(1),
      imageTag: `release-${EXECUTION}`,
    });
    expect(cfn).toHaveReceivedCommandWith(UpdateStackCommand, { Parameters: expect.arrayContaining([{ ParameterKey: 'ImageVersion', ParameterValue: ':v1' }]) as unknown });
  });

  test('a digest is looked up by digest', async () => {
    await releaseStep(clients(), TARGET, { kind: 'deploy', version: DIGEST, executionId: EXECUTION });
    expect(ecr).toHaveReceivedCommandWith(DescribeImagesCommand, { repositoryName: 'shop', imageIds: [{ imageDigest: DIGEST.slice(1) }] });
  });

  test('an image already tagged (a retried action) is fine: ImageAlreadyExistsException', async () => {
    ecr.on(PutImageCommand).rejects(new ImageAlreadyExistsException({ message: 'Image with digest and tag already exists', $metadata: {} }));
    expect(await releaseStep(clients(), TARGET, { kind: 'deploy', version: DIGEST, executionId: EXECUTION })).toMatchObject({ outcome: 'continue' });
    expect(cfn).toHaveReceivedCommand(UpdateStackCommand);
  });

  test('an image not in the repository fails the release, naming it, and the stack is not touched', async () => {
    ecr.on(DescribeImagesCommand).rejects(new ImageNotFoundException({ message: "The image with imageId {imageTag:'v9'} does not exist", $metadata: {} }));
    const result = await releaseStep(clients(), TARGET, { kind: 'deploy', version: ':v9', executionId: EXECUTION });
    expect(result).toEqual({ outcome: 'failed', message: expect.stringMatching(/^image :v9 in repository shop not found \(ImageNotFoundException: .*\): the stack was not changed/) as unknown });
    expect(cfn).not.toHaveReceivedCommand(UpdateStackCommand);
    expect(ecr).not.toHaveReceivedCommand(PutImageCommand);
  });

  test('a refused PutImage (AccessDenied) fails the release with the reason before the stack changes', async () => {
    ecr.on(PutImageCommand).rejects(Object.assign(new Error('User is not authorized to perform: ecr:PutImage'), { name: 'AccessDeniedException' }));
    const result = await releaseStep(clients(), TARGET, { kind: 'deploy', version: DIGEST, executionId: EXECUTION });
    expect(result).toEqual({
      outcome: 'failed',
      message: `could not tag image ${DIGEST} in repository shop release-${EXECUTION} (AccessDeniedException: User is not authorized to perform: ecr:PutImage): the stack was not changed, the service still runs its current version`,
    });
    expect(cfn).not.toHaveReceivedCommand(UpdateStackCommand);
  });

  test('a manifest ECR does not return fails with its failure code', async () => {
    ecr.on(BatchGetImageCommand).resolves({ images: [], failures: [{ imageId: { imageDigest: DIGEST.slice(1) }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }] });
    expect(await releaseStep(clients(), TARGET, { kind: 'deploy', version: DIGEST, executionId: EXECUTION })).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/ImageNotFound: Requested image not found/) as unknown });
    expect(cfn).not.toHaveReceivedCommand(UpdateStackCommand);
  });

  test('a job without an execution id changes nothing', async () => {
    expect(await releaseStep(clients(), TARGET, { kind: 'deploy', version: DIGEST })).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/no pipeline execution/) as unknown });
    expect(cfn).not.toHaveReceivedCommand(UpdateStackCommand);
  });

  test('a migration does not tag (the deploy after it does)', async () => {
    cfn.on(UpdateStackCommand).resolves({});
    await releaseStep(clients(), TARGET, { kind: 'migrate', version: DIGEST, executionId: EXECUTION });
    expect(ecr.calls()).toHaveLength(0);
  });
});

describe('migrate', () => {
  test('updates the migration version, runs the task in the private subnets, succeeds on exit code 0', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cfn.on(UpdateStackCommand).resolves({});
    cfn.on(DescribeStackResourceCommand).resolves({ StackResourceDetail: { PhysicalResourceId: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/migrate:7', LogicalResourceId: 'MigrationTask', ResourceType: 'AWS::ECS::TaskDefinition', LastUpdatedTimestamp: new Date(), ResourceStatus: 'UPDATE_COMPLETE' } });
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: 'task-1' }] });
    ecs.on(DescribeTasksCommand).resolvesOnce({ tasks: [{ lastStatus: 'RUNNING' }] }).resolvesOnce({ tasks: [{ lastStatus: 'STOPPED', containers: [{ name: 'migrate', exitCode: 0 }] }] });

    const job = { kind: 'migrate' as const, version: DIGEST };
    const started = await releaseStep(clients(), TARGET, job);
    expect(cfn).toHaveReceivedCommandWith(UpdateStackCommand, { Parameters: expect.arrayContaining([{ ParameterKey: 'MigrationImageVersion', ParameterValue: DIGEST }, { ParameterKey: 'ImageVersion', UsePreviousValue: true }]) as unknown });
    const updated = await releaseStep(clients(), TARGET, job, started.outcome === 'continue' ? started.progress : undefined);
    expect(ecs).toHaveReceivedCommandWith(RunTaskCommand, {
      cluster: 'cluster-arn',
      taskDefinition: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/migrate:7',
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a'], securityGroups: ['sg-m'], assignPublicIp: 'DISABLED' } },
    });
    expect(updated).toMatchObject({ outcome: 'continue', progress: { phase: 'migrating', taskArn: 'task-1' } });
    const progress = updated.outcome === 'continue' ? updated.progress : undefined;
    expect(await releaseStep(clients(), TARGET, job, progress)).toMatchObject({ outcome: 'continue', message: 'migration RUNNING' });
    expect(await releaseStep(clients(), TARGET, job, progress)).toEqual({ outcome: 'succeeded', message: 'migration succeeded (exit code 0)' });
  });

  test('a non-zero exit code stops the release before the deployment', async () => {
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ lastStatus: 'STOPPED', containers: [{ name: 'migrate', exitCode: 3 }] }] });
    const result = await releaseStep(clients(), TARGET, { kind: 'migrate', version: DIGEST }, { phase: 'migrating', taskArn: 'task-1', since: clock.toISOString() });
    expect(result).toEqual({ outcome: 'failed', message: 'migration failed: exit code 3; the release stops here, production still runs the previous version' });
  });

  test('a task that cannot start fails with the ECS reason', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cfn.on(UpdateStackCommand).rejects(new Error('No updates are to be performed.'));
    cfn.on(DescribeStackResourceCommand).resolves({ StackResourceDetail: { PhysicalResourceId: 'td:1', LogicalResourceId: 'MigrationTask', ResourceType: 'x', LastUpdatedTimestamp: new Date(), ResourceStatus: 'CREATE_COMPLETE' } });
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:ENI', detail: 'no free addresses' }] });
    expect(await releaseStep(clients(), TARGET, { kind: 'migrate', version: ':v1' })).toEqual({ outcome: 'failed', message: 'the migration task did not start: RESOURCE:ENI (no free addresses)' });
  });

  test('a migration past its timeout is stopped and fails', async () => {
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ lastStatus: 'RUNNING' }] });
    ecs.on(StopTaskCommand).resolves({});
    const since = new Date(clock.getTime() - 31 * 60_000).toISOString();
    const result = await releaseStep(clients(), TARGET, { kind: 'migrate', version: DIGEST }, { phase: 'migrating', taskArn: 'task-1', since });
    expect(result).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/over 30 minutes: stopped/) as unknown });
    expect(ecs).toHaveReceivedCommandWith(StopTaskCommand, { cluster: 'cluster-arn', task: 'task-1' });
  });
});
