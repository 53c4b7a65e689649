import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CodePipelineClient,
  GetPipelineExecutionCommand,
  type GetPipelineExecutionCommandInput,
  ListPipelineExecutionsCommand,
  type PipelineExecutionStatus,
  type PipelineExecutionSummary,
  PipelineExecutionOutdatedException,
  RollbackStageCommand,
  type RollbackStageCommandInput,
} from '@aws-sdk/client-codepipeline';
import { DescribeServiceDeploymentsCommand, DescribeServiceRevisionsCommand, ECSClient, ListServiceDeploymentsCommand, StopServiceDeploymentCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CliError, main } from '../../../lib/cli';
import { rollback } from '../../../lib/cli/rollback';
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

/** A normal release, as ListPipelineExecutions summarizes it: its image digest is derived from its id unless given. */
const release = (id: string, status: PipelineExecutionStatus, image = id): PipelineExecutionSummary => ({
  pipelineExecutionId: id,
  status,
  executionType: 'STANDARD',
  trigger: { triggerType: 'CloudWatchEvent' },
  sourceRevisions: [{ actionName: 'Image', revisionId: `sha256:${image.repeat(8)}` }],
});

/**
 * A rollback execution as CodePipeline lists it: type ROLLBACK, triggered as ManualRollback, the target in its
 * rollbackMetadata, and the target's source revisions (stage-rollback.html, stage-rollback-view-details.html).
 */
const rollbackTo = (id: string, status: PipelineExecutionStatus, target: PipelineExecutionSummary): PipelineExecutionSummary => ({
  pipelineExecutionId: id,
  status,
  executionType: 'ROLLBACK',
  trigger: { triggerType: 'ManualRollback' },
  sourceRevisions: target.sourceRevisions,
  rollbackMetadata: { rollbackTargetPipelineExecutionId: target.pipelineExecutionId },
});

/**
 * A pipeline that behaves as CodePipeline does across runs: RollbackStage adds a rollback execution (newest first),
 * refuses a rollback execution as its target, and the execution succeeds on the first poll. Returns the live history.
 */
function fakePipeline(...history: PipelineExecutionSummary[]): PipelineExecutionSummary[] {
  let rollbacks = 0;
  codepipeline.on(ListPipelineExecutionsCommand).callsFake(() => ({ pipelineExecutionSummaries: history.map((e) => ({ ...e })) }));
  codepipeline.on(RollbackStageCommand).callsFake((input: RollbackStageCommandInput) => {
    const target = history.find((e) => e.pipelineExecutionId === input.targetPipelineExecutionId);
    if (!target || target.executionType === 'ROLLBACK') return Promise.reject(new Error('PipelineExecutionNotFoundException'));
    rollbacks += 1;
    history.unshift(rollbackTo(`r${rollbacks}`, 'InProgress', target));
    return Promise.resolve({ pipelineExecutionId: `r${rollbacks}` });
  });
  codepipeline.on(GetPipelineExecutionCommand).callsFake((input: GetPipelineExecutionCommandInput) => {
    const execution = history.find((e) => e.pipelineExecutionId === input.pipelineExecutionId) as PipelineExecutionSummary;
    execution.status = 'Succeeded';
    return Promise.resolve({ pipelineExecution: { pipelineExecutionId: execution.pipelineExecutionId, status: execution.status } });
  });
  return history;
}

/** Answers every call with `answer` up to `limit` calls, then fails: a loop that never ends fails its test instead of hanging it. */
function upTo<T>(limit: number, answer: T): () => Promise<T> {
  let calls = 0;
  return () => (++calls > limit ? Promise.reject(new Error(`test: polled more than ${limit} times`)) : Promise.resolve(answer));
}

const rollbackStageTargets = () => codepipeline.commandCalls(RollbackStageCommand).map((c) => c.args[0].input.targetPipelineExecutionId);

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

test('a deployment that finished before the stop took effect: exit 1, the new revision is live, roll back again', async () => {
  ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'IN_PROGRESS', targetServiceRevisionArn: 'rev-7' }] });
  ecs.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: DEPLOYMENT });
  ecs.on(DescribeServiceDeploymentsCommand)
    .resolvesOnce({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'SUCCESSFUL', targetServiceRevision: { arn: 'rev-7' } }] })
    .rejects(new Error('test: polled again after the deployment ended'));
  expect(await run('rollback', '--yes')).toBe(1);
  expect(err).toEqual([
    `shipshape: Deployment ${DEPLOYMENT} finished (SUCCESSFUL) before the stop took effect: revision rev-7 is live. Once its release has finished (\`shipshape status\`), run \`shipshape rollback\` again to roll back through the pipeline.`,
  ]);
});

test.each([
  ['ROLLBACK_FAILED', /The rollback failed: tasks failed to start/],
  ['STOPPED', /was stopped without rolling back \(tasks failed to start\)/],
])('a stop that ends %s exits 1 with the reason', async (status, message) => {
  ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'IN_PROGRESS' }] });
  ecs.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: DEPLOYMENT });
  ecs.on(DescribeServiceDeploymentsCommand)
    .resolvesOnce({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: status as 'STOPPED', statusReason: 'tasks failed to start' }] })
    .rejects(new Error('test: polled again after the deployment ended'));
  expect(await run('rollback', '--yes')).toBe(1);
  expect(err[0]).toMatch(message);
});

test('a deployment ECS no longer describes: exit 1 with its reason, no endless polling', async () => {
  ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'IN_PROGRESS' }] });
  ecs.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: DEPLOYMENT });
  ecs.on(DescribeServiceDeploymentsCommand)
    .resolvesOnce({ serviceDeployments: [], failures: [{ arn: DEPLOYMENT, reason: 'MISSING' }] })
    .rejects(new Error('test: polled again'));
  expect(await run('rollback', '--yes')).toBe(1);
  expect(err).toEqual([`shipshape: ECS no longer describes deployment ${DEPLOYMENT} (MISSING): see what runs with \`shipshape status\`.`]);
});

test('following a stopped deployment gives up after 20 minutes by default: exit 1, saying what still runs and how to follow it', async () => {
  ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'IN_PROGRESS' }] });
  ecs.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: DEPLOYMENT });
  ecs.on(DescribeServiceDeploymentsCommand).callsFake(upTo(500, { serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'ROLLBACK_IN_PROGRESS' }] }));
  expect(await run('rollback', '--yes')).toBe(1);
  expect(ecs).toHaveReceivedCommandTimes(DescribeServiceDeploymentsCommand, 120);
  expect(out.at(-1)).toBe('[1200 s] ROLLBACK_IN_PROGRESS');
  expect(err).toEqual([
    `shipshape: Stopped following after 20 min: deployment ${DEPLOYMENT} is still ROLLBACK_IN_PROGRESS and ECS carries on without this command. Follow it with \`shipshape status\`.`,
  ]);
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
  expect(err).toEqual(['shipshape: No earlier release to roll back to: the service runs release a (sha256:aaaaaaaa), and no successful release before it with another image is listed.']);
  expect(codepipeline).not.toHaveReceivedCommand(RollbackStageCommand);
});

test('a rollback already running (or stopping) is refused', async () => {
  const b = release('b', 'Succeeded');
  codepipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [rollbackTo('r', 'InProgress', b), release('c', 'Succeeded'), b] });
  expect(await run('rollback', '--yes')).toBe(1);
  expect(err[0]).toMatch(/A rollback is already running \(pipeline execution r\)/);
  codepipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [rollbackTo('r', 'Stopping', b), release('c', 'Succeeded'), b] });
  expect(await run('rollback', '--yes')).toBe(1);
  expect(err[1]).toMatch(/A rollback is already running \(pipeline execution r\)/);
  ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'ROLLBACK_IN_PROGRESS' }] });
  expect(await run('rollback', '--yes')).toBe(1);
  expect(err[2]).toMatch(/A rollback is already running \(deployment .*ROLLBACK_IN_PROGRESS\)/);
  expect(codepipeline).not.toHaveReceivedCommand(RollbackStageCommand);
});

test('release A, release B, rollback: back to A; rollback again: refused, naming A, never A again', async () => {
  fakePipeline(release('b', 'Succeeded'), release('a', 'Succeeded'));
  expect(await run('rollback', '--yes')).toBe(0);
  expect(out[0]).toBe('The service runs release b (sha256:bbbbbbbb); the Deploy stage will redeploy release a (sha256:aaaaaaaa) through CloudFormation.');
  out = [];
  expect(await run('rollback', '--yes')).toBe(1);
  expect(err).toEqual([
    'shipshape: No earlier release to roll back to: the service runs release a (sha256:aaaaaaaa) (rolled back to by r1), and no successful release before it with another image is listed.',
  ]);
  expect(rollbackStageTargets()).toEqual(['a']);
});

test('each further rollback goes one release further back, then refuses', async () => {
  fakePipeline(release('b', 'Succeeded'), release('f', 'Failed'), release('a', 'Succeeded'), release('z', 'Succeeded'));
  expect(await run('rollback', '--yes')).toBe(0);
  out = [];
  expect(await run('rollback', '--yes')).toBe(0);
  expect(out[0]).toBe('The service runs release a (sha256:aaaaaaaa) (rolled back to by r1); the Deploy stage will redeploy release z (sha256:zzzzzzzz) through CloudFormation.');
  expect(await run('rollback', '--yes')).toBe(1);
  expect(err[0]).toMatch(/runs release z \(sha256:zzzzzzzz\) \(rolled back to by r2\), and no successful release before it/);
  expect(rollbackStageTargets()).toEqual(['a', 'z']);
});

test('a new release after a rollback is the one running: the next rollback goes to the release before it', async () => {
  const a = release('a', 'Succeeded');
  fakePipeline(release('c', 'Succeeded'), rollbackTo('r0', 'Succeeded', a), release('b', 'Succeeded'), a);
  expect(await run('rollback', '--yes')).toBe(0);
  expect(rollbackStageTargets()).toEqual(['b']);
});

test('an earlier release of the same image is skipped: rolling back to it would change nothing', async () => {
  fakePipeline(release('c', 'Succeeded', 'x'), release('b', 'Succeeded', 'x'), release('a', 'Succeeded'));
  expect(await run('rollback', '--yes')).toBe(0);
  expect(out[0]).toBe('The service runs release c (sha256:xxxxxxxx); the Deploy stage will redeploy release a (sha256:aaaaaaaa) through CloudFormation.');
  expect(rollbackStageTargets()).toEqual(['a']);
});

test('the release running and the one before it are looked for past the first page of history', async () => {
  const a = release('a', 'Succeeded');
  codepipeline.on(ListPipelineExecutionsCommand)
    .resolvesOnce({ pipelineExecutionSummaries: [rollbackTo('r1', 'Succeeded', a), release('c', 'Failed')], nextToken: 'page-2' })
    .resolvesOnce({ pipelineExecutionSummaries: [release('b', 'Succeeded'), a, release('z', 'Succeeded')], nextToken: 'page-3' })
    .rejects(new Error('test: read a page it did not need'));
  codepipeline.on(RollbackStageCommand).resolves({ pipelineExecutionId: 'r2' });
  codepipeline.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { status: 'Succeeded' } });
  expect(await run('rollback', '--yes')).toBe(0);
  expect(codepipeline).toHaveReceivedNthSpecificCommandWith(2, ListPipelineExecutionsCommand, { pipelineName: 'shop-release', nextToken: 'page-2' });
  expect(codepipeline).toHaveReceivedCommandTimes(ListPipelineExecutionsCommand, 2);
  expect(rollbackStageTargets()).toEqual(['z']);
});

test('history is read a bounded number of pages: past it, a clear refusal', async () => {
  codepipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [release('f', 'Failed')], nextToken: 'more' });
  expect(await run('rollback', '--yes')).toBe(1);
  expect(codepipeline).toHaveReceivedCommandTimes(ListPipelineExecutionsCommand, 5);
  expect(err).toEqual(['shipshape: No successful release of shop-release in its last 5 executions: there is no release to roll back to (look further back in the CodePipeline console).']);
  expect(codepipeline).not.toHaveReceivedCommand(RollbackStageCommand);
});

test('a rollback to a release older than the history read: refused, naming it', async () => {
  const old = release('o', 'Succeeded');
  codepipeline.on(ListPipelineExecutionsCommand)
    .resolvesOnce({ pipelineExecutionSummaries: [rollbackTo('r1', 'Succeeded', old)], nextToken: 'more' })
    .resolves({ pipelineExecutionSummaries: [release('f', 'Failed')], nextToken: 'more' });
  expect(await run('rollback', '--yes')).toBe(1);
  expect(err).toEqual(['shipshape: The service runs release o (rolled back to by r1), older than the 5 executions of shop-release read: roll back from the CodePipeline console.']);
  expect(codepipeline).not.toHaveReceivedCommand(RollbackStageCommand);
});

test('a release CodePipeline can no longer roll back to (started before the pipeline changed): a clear error', async () => {
  codepipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [release('b', 'Succeeded'), release('a', 'Succeeded')] });
  codepipeline.on(RollbackStageCommand).rejects(new PipelineExecutionOutdatedException({ message: 'outdated', $metadata: {} }));
  expect(await run('rollback', '--yes')).toBe(1);
  expect(err[0]).toMatch(/Release a \(sha256:aaaaaaaa\) ran on an earlier version of pipeline shop-release/);
  expect(codepipeline).not.toHaveReceivedCommand(GetPipelineExecutionCommand);
});

test.each(['Failed', 'Stopped', 'Superseded', 'Cancelled'])('a pipeline rollback that ends %s exits 1 with the reason', async (status) => {
  codepipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [release('b', 'Succeeded'), release('a', 'Succeeded')] });
  codepipeline.on(RollbackStageCommand).resolves({ pipelineExecutionId: 'r1' });
  codepipeline.on(GetPipelineExecutionCommand)
    .resolvesOnce({ pipelineExecution: { status: 'InProgress' } })
    .resolvesOnce({ pipelineExecution: { status: status as PipelineExecutionStatus, statusSummary: 'stack update failed' } })
    .rejects(new Error('test: polled again after the rollback ended'));
  expect(await run('rollback', '--yes')).toBe(1);
  expect(err).toEqual([`shipshape: The rollback to release a ${status.toLowerCase()}: stack update failed`]);
});

test('following a pipeline rollback gives up after 30 minutes by default: exit 1, saying what still runs and how to follow it', async () => {
  codepipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [release('b', 'Succeeded'), release('a', 'Succeeded')] });
  codepipeline.on(RollbackStageCommand).resolves({ pipelineExecutionId: 'r1' });
  codepipeline.on(GetPipelineExecutionCommand).callsFake(upTo(500, { pipelineExecution: { status: 'InProgress' } }));
  expect(await run('rollback', '--yes')).toBe(1);
  expect(codepipeline).toHaveReceivedCommandTimes(GetPipelineExecutionCommand, 120);
  expect(out.at(-1)).toBe('[1800 s] InProgress');
  expect(err).toEqual([
    'shipshape: Stopped following after 30 min: pipeline execution r1 (rolling the Deploy stage back to release a) is still InProgress and carries on without this command. Follow it with `shipshape status`; run rollback again only once it has ended.',
  ]);
});

test('the pipeline follow timeout is an option, and its error is a CliError', async () => {
  codepipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [release('b', 'Succeeded'), release('a', 'Succeeded')] });
  codepipeline.on(RollbackStageCommand).resolves({ pipelineExecutionId: 'r1' });
  codepipeline.on(GetPipelineExecutionCommand).callsFake(upTo(500, { pipelineExecution: { status: 'Stopping' } }));
  const ctx = testCliContext('2026-11-26T10:00:00Z', out);
  const following = rollback(ctx, { stack: 'shipshape-stateless', yes: true, json: false, timeoutMs: 60_000 });
  await expect(following).rejects.toThrow(CliError);
  await expect(following).rejects.toThrow(/after 1 min: .* is still Stopping/);
  expect(codepipeline).toHaveReceivedCommandTimes(GetPipelineExecutionCommand, 4);
});

test('an API error while following a pipeline rollback fails with the error and stops following', async () => {
  codepipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [release('b', 'Succeeded'), release('a', 'Succeeded')] });
  codepipeline.on(RollbackStageCommand).resolves({ pipelineExecutionId: 'r1' });
  codepipeline.on(GetPipelineExecutionCommand)
    .resolvesOnce({ pipelineExecution: { status: 'InProgress' } })
    .rejects(new Error('ThrottlingException: Rate exceeded'));
  expect(await run('rollback', '--yes')).toBe(1);
  expect(err).toEqual(['shipshape: ThrottlingException: Rate exceeded']);
  expect(codepipeline).toHaveReceivedCommandTimes(GetPipelineExecutionCommand, 2);
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
