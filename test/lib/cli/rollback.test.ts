import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient, GetPipelineExecutionCommand, ListPipelineExecutionsCommand, RollbackStageCommand } from '@aws-sdk/client-codepipeline';
import { DescribeServiceDeploymentsCommand, DescribeServiceRevisionsCommand, ECSClient, ListServiceDeploymentsCommand, StopServiceDeploymentCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { main } from '../../../lib/cli';
import { testCliContext } from '../../helpers/cli';

const SERVICE = 'arn:aws:ecs:eu-west-1:111111111111:service/shop-cluster/shop';
const DEPLOYMENT = 'arn:aws:ecs:eu-west-1:111111111111:service-deployment/shop-cluster/shop/abc';
const cfn = mockClient(CloudFormationClient);
const ecs = mockClient(ECSClient);
const codepipeline = mockClient(CodePipelineClient);
let out: string[];
let err: string[];

const run = (...args: string[]) => main(args, testCliContext('2026-11-26T10:00:00Z', out), (line) => err.push(line));

function outputs(pipeline = true) {
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'shipshape-stateless', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [
      { OutputKey: 'ServiceArn', OutputValue: SERVICE },
      ...(pipeline ? [{ OutputKey: 'ReleasePipelineName', OutputValue: 'shop-release' }] : []),
    ] }],
  });
}

const release = (id: string, status: 'Succeeded' | 'Failed' | 'InProgress', rollbackOf?: string) => ({
  pipelineExecutionId: id,
  status,
  sourceRevisions: [{ actionName: 'Image', revisionId: `sha256:${id.repeat(8)}` }],
  rollbackMetadata: rollbackOf ? { rollbackTargetPipelineExecutionId: rollbackOf } : undefined,
});

beforeEach(() => {
  cfn.reset();
  ecs.reset();
  codepipeline.reset();
  out = [];
  err = [];
  outputs();
  ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
});

test('a deployment in progress or baking is stopped with rollback, and followed until traffic is back', async () => {
  ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'IN_PROGRESS', targetServiceRevisionArn: 'rev-7' }] });
  ecs.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: DEPLOYMENT });
  ecs.on(DescribeServiceDeploymentsCommand)
    .resolvesOnce({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'ROLLBACK_IN_PROGRESS' }] })
    .resolvesOnce({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'ROLLBACK_SUCCESSFUL' }] });
  expect(await run('rollback', '--yes')).toBe(0);
  expect(ecs).toHaveReceivedCommandWith(ListServiceDeploymentsCommand, { service: SERVICE, cluster: 'shop-cluster' });
  expect(ecs).toHaveReceivedCommandWith(StopServiceDeploymentCommand, { serviceDeploymentArn: DEPLOYMENT, stopType: 'ROLLBACK' });
  expect(out).toEqual([expect.stringContaining('of revision rev-7 will be stopped') as unknown, '[10 s] ROLLBACK_IN_PROGRESS', '[20 s] ROLLBACK_SUCCESSFUL']);
  expect(codepipeline.calls()).toHaveLength(0);
});

test('without --yes it shows what would change and changes nothing', async () => {
  ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'IN_PROGRESS' }] });
  expect(await run('rollback')).toBe(2);
  expect(out[0]).toMatch(/will be stopped/);
  expect(err).toEqual(['shipshape: Nothing changed: run again with --yes to do this.']);
  expect(ecs).not.toHaveReceivedCommand(StopServiceDeploymentCommand);
});

test('after a completed release, the deploy stage goes back to the previous successful release through the pipeline', async () => {
  codepipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [release('c', 'Succeeded'), release('f', 'Failed'), release('b', 'Succeeded'), release('a', 'Succeeded')] });
  codepipeline.on(RollbackStageCommand).resolves({ pipelineExecutionId: 'r1' });
  codepipeline.on(GetPipelineExecutionCommand).resolvesOnce({ pipelineExecution: { status: 'InProgress' } }).resolvesOnce({ pipelineExecution: { status: 'Succeeded' } });
  expect(await run('rollback', '--yes')).toBe(0);
  expect(codepipeline).toHaveReceivedCommandWith(RollbackStageCommand, { pipelineName: 'shop-release', stageName: 'Deploy', targetPipelineExecutionId: 'b' });
  expect(out[0]).toBe('The service runs release c (sha256:cccccccc); the Deploy stage will redeploy release b (sha256:bbbbbbbb) through CloudFormation.');
  expect(out.slice(1)).toEqual(['[15 s] InProgress', '[30 s] Succeeded']);
});

test('no previous revision: a clear error, nothing started', async () => {
  codepipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [release('a', 'Succeeded'), release('f', 'Failed')] });
  expect(await run('rollback', '--yes')).toBe(1);
  expect(err).toEqual(['shipshape: No previous successful release to roll back to.']);
  expect(codepipeline).not.toHaveReceivedCommand(RollbackStageCommand);
});

test('a rollback already running is refused', async () => {
  codepipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [release('r', 'InProgress', 'b'), release('c', 'Succeeded'), release('b', 'Succeeded')] });
  expect(await run('rollback', '--yes')).toBe(1);
  expect(err[0]).toMatch(/A rollback is already running \(pipeline execution r\)/);
  ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'ROLLBACK_IN_PROGRESS' }] });
  expect(await run('rollback', '--yes')).toBe(1);
  expect(err[1]).toMatch(/A rollback is already running \(deployment .*ROLLBACK_IN_PROGRESS\)/);
});

test('service not found: the stack is missing, or --service is not a service ARN', async () => {
  cfn.on(DescribeStacksCommand).rejects(new Error('Stack with id shipshape-stateless does not exist'));
  expect(await run('rollback')).toBe(1);
  expect(err[0]).toMatch(/Stack shipshape-stateless not found/);
  outputs();
  expect(await run('rollback', '--service', 'shop')).toBe(2);
  expect(err[1]).toMatch(/--service: an ECS service ARN/);
});

test('an API error mid-way fails with the error and stops following', async () => {
  ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'IN_PROGRESS' }] });
  ecs.on(StopServiceDeploymentCommand).rejects(new Error('ServiceDeploymentNotFoundException: the deployment already ended'));
  expect(await run('rollback', '--yes')).toBe(1);
  expect(err).toEqual(['shipshape: ServiceDeploymentNotFoundException: the deployment already ended']);
  expect(ecs).not.toHaveReceivedCommand(DescribeServiceDeploymentsCommand);
});

test('no pipeline and nothing in progress: nothing to roll back to through the release path', async () => {
  outputs(false);
  expect(await run('rollback', '--yes')).toBe(1);
  expect(err[0]).toMatch(/no release pipeline/);
});

test('status shows the current and previous revisions, deployments and releases', async () => {
  ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [
    { status: 'ROLLBACK_SUCCESSFUL', targetServiceRevisionArn: 'rev-9', startedAt: new Date('2026-11-26T09:00:00Z'), statusReason: 'alarm release-5xx-rate' },
    { status: 'SUCCESSFUL', targetServiceRevisionArn: 'rev-8', startedAt: new Date('2026-11-25T09:00:00Z') },
    { status: 'SUCCESSFUL', targetServiceRevisionArn: 'rev-7', startedAt: new Date('2026-11-24T09:00:00Z') },
  ] });
  codepipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [release('c', 'Failed')] });
  ecs.on(DescribeServiceRevisionsCommand, { serviceRevisionArns: ['rev-8', 'rev-7'] }).resolves({
    serviceRevisions: [
      { serviceRevisionArn: 'rev-8', containerImages: [{ containerName: 'app', image: 'repo:v8', imageDigest: `sha256:${'8'.repeat(64)}` }] },
      { serviceRevisionArn: 'rev-7', containerImages: [{ containerName: 'app', image: 'repo:v7' }] },
    ],
  });
  expect(await run('status')).toBe(0);
  expect(out.slice(0, 3)).toEqual([`Service   ${SERVICE}`, 'Current   rev-8  app=repo:v8@sha256:888888888888', 'Previous  rev-7  app=repo:v7']);
  expect(out).toContainEqual(expect.stringMatching(/ROLLBACK_SUCCESSFUL\s+rev-9 {2}alarm release-5xx-rate/));
  expect(out).toContainEqual(expect.stringMatching(/Failed\s+c \(sha256:cccccccc\)/));
});
