import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient, GetPipelineExecutionCommand, ListPipelineExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { DescribeImagesCommand, ECRClient, ImageNotFoundException } from '@aws-sdk/client-ecr';
import { DescribeServiceRevisionsCommand, ECSClient, ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { main } from '../../../lib/cli';
import { testCliContext } from '../../helpers/cli';

const SERVICE = 'arn:aws:ecs:eu-west-1:111111111111:service/shop-cluster/shop';
const URI = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop';
const D = (n: number) => `sha256:${String(n).repeat(64)}`;
const cfn = mockClient(CloudFormationClient);
const ecs = mockClient(ECSClient);
const ecr = mockClient(ECRClient);
const codepipeline = mockClient(CodePipelineClient);
let out: string[];
let err: string[];

const run = (...args: string[]) => main([...args, '--stack', 'shop-stateless'], testCliContext('2026-12-02T10:00:00Z', out), (line) => err.push(line));

function stack(outputs: Record<string, string>) {
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'shop-stateless', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }],
  });
}

beforeEach(() => {
  for (const mock of [cfn, ecs, ecr, codepipeline]) mock.reset();
  out = [];
  err = [];
  stack({ ServiceArn: SERVICE, ReleasePipelineName: 'shop-release', ImageRepositoryUri: URI });
  ecs.on(ListServiceDeploymentsCommand).resolves({
    serviceDeployments: [
      { status: 'IN_PROGRESS', targetServiceRevisionArn: 'rev-3' },
      { status: 'SUCCESSFUL', targetServiceRevisionArn: 'rev-2' },
      { status: 'SUCCESSFUL', targetServiceRevisionArn: 'rev-1' },
    ],
  });
  ecs.on(DescribeServiceRevisionsCommand).resolves({
    serviceRevisions: [1, 2, 3].map((n) => ({ serviceRevisionArn: `rev-${n}`, containerImages: [{ containerName: 'app', image: `${URI}@${D(n)}`, imageDigest: D(n) }] })),
  });
  codepipeline.on(ListPipelineExecutionsCommand).resolves({
    pipelineExecutionSummaries: [
      { pipelineExecutionId: 'exec-3', status: 'InProgress', startTime: new Date('2026-12-02T09:50:00Z') },
      { pipelineExecutionId: 'exec-2', status: 'Succeeded', startTime: new Date('2026-12-02T09:00:00Z') },
    ],
  });
  codepipeline.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'exec-3' }).resolves({ pipelineExecution: { pipelineExecutionId: 'exec-3', status: 'InProgress', trigger: { triggerType: 'CloudWatchEvent' } } });
  codepipeline.on(GetPipelineExecutionCommand, { pipelineExecutionId: 'exec-2' }).resolves({ pipelineExecution: { pipelineExecutionId: 'exec-2', status: 'Succeeded', trigger: { triggerType: 'CloudWatchEvent' } } });
  ecr.on(DescribeImagesCommand, { imageIds: [{ imageDigest: D(3) }] }).resolves({ imageDetails: [{ imageDigest: D(3), imageTags: ['latest', 'release-exec-3'] }] });
  ecr.on(DescribeImagesCommand, { imageIds: [{ imageDigest: D(2) }] }).resolves({ imageDetails: [{ imageDigest: D(2), imageTags: ['release-exec-2'] }] });
  // The oldest image was deployed before release tags existed, and expired since.
  ecr.on(DescribeImagesCommand, { imageIds: [{ imageDigest: D(1) }] }).rejects(new ImageNotFoundException({ message: 'gone', $metadata: {} }));
});

test('the revision being deployed is mapped to the execution in progress, the completed ones to theirs; an untagged image says so', async () => {
  expect(await run('status')).toBe(0);
  expect(err).toEqual([]);
  expect(out.slice(0, 8)).toEqual([
    `Service   ${SERVICE}`,
    `Images    ${URI}`,
    `Current   rev-2  app=${URI}@${D(2)}`,
    '          release exec-2 (Succeeded, started 2026-12-02T09:00:00.000Z), started by a push to the watched tag',
    `Previous  rev-1  app=${URI}@${D(1)}`,
    '          no release tag on sha256:111111111111 (deployed without the pipeline, or by a release before release tags)',
    `Deploying rev-3  app=${URI}@${D(3)}`,
    '          release exec-3 (InProgress, started 2026-12-02T09:50:00.000Z), started by a push to the watched tag',
  ]);
  expect(ecr).toHaveReceivedCommandWith(DescribeImagesCommand, { repositoryName: 'shop', imageIds: [{ imageDigest: D(2) }] });
});

test('--json carries the mapping of each revision', async () => {
  expect(await run('status', '--json')).toBe(0);
  const json = JSON.parse(out.join('\n')) as { revisions: Record<string, { release?: { executionId: string; status: string } }> };
  expect(json.revisions.current?.release).toMatchObject({ executionId: 'exec-2', status: 'Succeeded' });
  expect(json.revisions.inProgress?.release).toMatchObject({ executionId: 'exec-3', status: 'InProgress' });
  expect(json.revisions.previous?.release).toBeUndefined();
});

test('without the repository output (an image of yours by URI), nothing is looked up in ECR', async () => {
  stack({ ServiceArn: SERVICE, ReleasePipelineName: 'shop-release' });
  expect(await run('status')).toBe(0);
  expect(ecr.calls()).toHaveLength(0);
  expect(out).not.toContainEqual(expect.stringMatching(/release exec|no release tag/));
});
