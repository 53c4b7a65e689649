import { CloudFormationClient, DescribeStacksCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient, PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import { BatchGetImageCommand, DescribeImagesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../../constructs/pipeline/runtime/release-job.lambda';

const cfn = mockClient(CloudFormationClient);
const codepipeline = mockClient(CodePipelineClient);
const ecr = mockClient(ECRClient);
const DIGEST = `@sha256:${'b'.repeat(64)}`;

function event(userParameters: unknown, continuationToken?: unknown, pipelineExecutionId?: string) {
  return {
    'CodePipeline.job': {
      id: 'job-1',
      data: {
        pipelineContext: pipelineExecutionId ? { pipelineExecutionId } : undefined,
        continuationToken: continuationToken === undefined ? undefined : JSON.stringify(continuationToken),
        actionConfiguration: { configuration: { UserParameters: JSON.stringify(userParameters) } },
      },
    },
  };
}

beforeEach(() => {
  cfn.reset();
  codepipeline.reset();
  ecr.reset();
  ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST.slice(1) }] });
  ecr.on(BatchGetImageCommand).resolves({ images: [{ imageManifest: '{}', imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' }] });
  ecr.on(PutImageCommand).resolves({});
  process.env.RELEASE_TARGET = JSON.stringify({ stackName: 's', repositoryName: 'shop', cloudFormationRoleArn: 'role', parameters: { deploy: 'ImageVersion', migrate: 'M' }, updateTimeoutMinutes: 50 });
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 's', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Parameters: [{ ParameterKey: 'ImageVersion', ParameterValue: ':v1' }] }] });
});

test('a step still under way answers success with a continuation token, so CodePipeline calls again', async () => {
  cfn.on(UpdateStackCommand).resolves({});
  await handler(event({ kind: 'deploy', version: DIGEST, executionId: 'exec-1' }));
  expect(codepipeline).toHaveReceivedCommandWith(PutJobSuccessResultCommand, { jobId: 'job-1', continuationToken: expect.stringContaining('"phase":"updating"') as unknown });
  expect(ecr).toHaveReceivedCommandWith(PutImageCommand, { repositoryName: 'shop', imageTag: 'release-exec-1' });
});

test("without an execution id in its parameters, the job's pipeline context names the release", async () => {
  cfn.on(UpdateStackCommand).resolves({});
  await handler(event({ kind: 'deploy', version: DIGEST }, undefined, 'exec-2'));
  expect(ecr).toHaveReceivedCommandWith(PutImageCommand, { repositoryName: 'shop', imageTag: 'release-exec-2' });
});

test('the final poll answers success without a token', async () => {
  await handler(event({ kind: 'deploy', version: DIGEST }, { phase: 'updating', since: new Date().toISOString() }));
  expect(codepipeline).toHaveReceivedCommandWith(PutJobSuccessResultCommand, { jobId: 'job-1', continuationToken: undefined });
});

test('a failed step and an unexpected error both fail the job with the reason', async () => {
  await handler(event({ kind: 'deploy', version: 'latest' }));
  expect(codepipeline).toHaveReceivedCommandWith(PutJobFailureResultCommand, { jobId: 'job-1', failureDetails: { type: 'JobFailed', message: expect.stringMatching(/neither ":tag"/) as unknown } });
  codepipeline.reset();
  cfn.on(UpdateStackCommand).rejects(new Error('AccessDenied: iam:PassRole'));
  await handler(event({ kind: 'deploy', version: DIGEST, executionId: 'exec-1' }));
  expect(codepipeline).toHaveReceivedCommandWith(PutJobFailureResultCommand, { jobId: 'job-1', failureDetails: { type: 'JobFailed', message: 'AccessDenied: iam:PassRole' } });
  expect(codepipeline).not.toHaveReceivedCommand(PutJobSuccessResultCommand);
});
