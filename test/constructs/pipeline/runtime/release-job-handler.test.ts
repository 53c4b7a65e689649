import { CloudFormationClient, DescribeStacksCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient, PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../../constructs/pipeline/runtime/release-job.lambda';

const cfn = mockClient(CloudFormationClient);
const codepipeline = mockClient(CodePipelineClient);
const DIGEST = `@sha256:${'b'.repeat(64)}`;

function event(userParameters: unknown, continuationToken?: unknown) {
  return {
    'CodePipeline.job': {
      id: 'job-1',
      data: {
        continuationToken: continuationToken === undefined ? undefined : JSON.stringify(continuationToken),
        actionConfiguration: { configuration: { UserParameters: JSON.stringify(userParameters) } },
      },
    },
  };
}

beforeEach(() => {
  cfn.reset();
  codepipeline.reset();
  process.env.RELEASE_TARGET = JSON.stringify({ stackName: 's', cloudFormationRoleArn: 'role', parameters: { deploy: 'ImageVersion', migrate: 'M' }, updateTimeoutMinutes: 50 });
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 's', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Parameters: [{ ParameterKey: 'ImageVersion', ParameterValue: ':v1' }] }] });
});

test('a step still under way answers success with a continuation token, so CodePipeline calls again', async () => {
  cfn.on(UpdateStackCommand).resolves({});
  await handler(event({ kind: 'deploy', version: DIGEST }));
  expect(codepipeline).toHaveReceivedCommandWith(PutJobSuccessResultCommand, { jobId: 'job-1', continuationToken: expect.stringContaining('"phase":"updating"') as unknown });
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
  await handler(event({ kind: 'deploy', version: DIGEST }));
  expect(codepipeline).toHaveReceivedCommandWith(PutJobFailureResultCommand, { jobId: 'job-1', failureDetails: { type: 'JobFailed', message: 'AccessDenied: iam:PassRole' } });
  expect(codepipeline).not.toHaveReceivedCommand(PutJobSuccessResultCommand);
});
