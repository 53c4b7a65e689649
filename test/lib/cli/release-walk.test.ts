import { CloudFormationClient, DescribeStacksCommand, type Parameter, UpdateStackCommand, type UpdateStackCommandInput } from '@aws-sdk/client-cloudformation';
import {
  CodePipelineClient,
  GetPipelineCommand,
  GetPipelineExecutionCommand,
  type GetPipelineExecutionCommandInput,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  type PipelineExecutionSummary,
  RollbackStageCommand,
  type RollbackStageCommandInput,
  StartPipelineExecutionCommand,
  type StartPipelineExecutionCommandInput,
} from '@aws-sdk/client-codepipeline';
import {
  BatchGetImageCommand,
  type BatchGetImageCommandInput,
  DescribeImagesCommand,
  type DescribeImagesCommandInput,
  ECRClient,
  ImageAlreadyExistsException,
  ImageNotFoundException,
  PutImageCommand,
  type PutImageCommandInput,
} from '@aws-sdk/client-ecr';
import {
  DescribeServiceRevisionsCommand,
  type DescribeServiceRevisionsCommandInput,
  ECSClient,
  ListServiceDeploymentsCommand,
  type ListServiceDeploymentsCommandInput,
  type ServiceDeploymentBrief,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { type ReleaseTarget, releaseStep } from '../../../constructs/pipeline/runtime/release-job';
import { main } from '../../../lib/cli';
import type { RevisionRelease } from '../../../lib/cli/status';
import { testCliContext } from '../../helpers/cli';

/*
 * The day-2 loop walked end to end against a stateful fake of AWS: the first deploy (the initial image, no release),
 * a push that releases, `shipshape release v2`, `shipshape rollback`, with `shipshape status` after each. The pipeline's
 * Deploy action is the real release step (runtime/release-job.ts): it tags the image and updates the stack; the fake
 * CloudFormation turns the update into an ECS deployment of a new revision.
 */

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const SERVICE = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/shop-cluster/shop`;
const REPOSITORY = 'shop';
const URI = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${REPOSITORY}`;
const ASSETS = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/cdk-hnb659fds-container-assets-${ACCOUNT}-${REGION}`;
const PIPELINE = 'shop-release';
const STACK = 'shop-stateless';
const digest = (n: number) => `sha256:${String(n).repeat(64)}`;
const revision = (n: number) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/shop-cluster/shop/${n}`;
const PUSH_RULE = `arn:aws:events:${REGION}:${ACCOUNT}:rule/shop-stateless-ReleasePipelineImageSourceEventRule`;
const OPERATOR = `arn:aws:sts::${ACCOUNT}:assumed-role/operator/alice`;

const cfn = mockClient(CloudFormationClient);
const ecs = mockClient(ECSClient);
const ecr = mockClient(ECRClient);
const codepipeline = mockClient(CodePipelineClient);

/** What the fake AWS holds. */
interface World {
  imageVersion: string;
  stackStatus: 'CREATE_COMPLETE' | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE';
  /** ECR: the tags of each image, by digest. */
  images: Map<string, Set<string>>;
  /** ECS: deployments, newest first; the image of each revision. */
  deployments: ServiceDeploymentBrief[];
  revisions: Map<string, { image: string; imageDigest: string }>;
  /** CodePipeline: executions, newest first. */
  executions: PipelineExecutionSummary[];
  clock: number;
}
let world: World;

const TARGET: ReleaseTarget = { stackName: STACK, repositoryName: REPOSITORY, cloudFormationRoleArn: `arn:aws:iam::${ACCOUNT}:role/deploy`, parameters: { deploy: 'ImageVersion', migrate: '' }, updateTimeoutMinutes: 50 };
const tick = () => new Date((world.clock += 60_000));

function deploy(image: string, imageDigest: string): void {
  const arn = revision(world.revisions.size + 1);
  world.revisions.set(arn, { image, imageDigest });
  world.deployments.unshift({ serviceDeploymentArn: `${arn}-deployment`, serviceArn: SERVICE, status: 'SUCCESSFUL', targetServiceRevisionArn: arn, startedAt: tick() });
}

/**
 * One pipeline execution as CodePipeline runs it: Source, then the Deploy action, which is the real release step
 * (a first call that tags and updates, CloudFormation completes, a poll that succeeds).
 */
async function runExecution(id: string, imageDigest: string, trigger: PipelineExecutionSummary['trigger'], rollbackOf?: string): Promise<void> {
  const execution: PipelineExecutionSummary = {
    pipelineExecutionId: id,
    status: 'InProgress',
    startTime: tick(),
    trigger,
    executionType: rollbackOf ? 'ROLLBACK' : 'STANDARD',
    rollbackMetadata: rollbackOf ? { rollbackTargetPipelineExecutionId: rollbackOf } : undefined,
    sourceRevisions: [{ actionName: 'Image', revisionId: imageDigest }],
  };
  world.executions.unshift(execution);
  const clients = { cloudformation: new CloudFormationClient({ region: REGION }), ecs: new ECSClient({ region: REGION }), ecr: new ECRClient({ region: REGION }), now: () => new Date(world.clock) };
  const job = { kind: 'deploy' as const, version: `@${imageDigest}`, executionId: id };
  const started = await releaseStep(clients, TARGET, job);
  if (started.outcome !== 'continue') throw new Error(`release step: ${started.message}`);
  // CloudFormation updates the service: ECS deploys a new revision of the image the parameter names.
  deploy(`${URI}@${imageDigest}`, imageDigest);
  world.stackStatus = 'UPDATE_COMPLETE';
  const done = await releaseStep(clients, TARGET, job, started.progress);
  Object.assign(execution, { status: done.outcome === 'succeeded' ? 'Succeeded' : 'Failed', lastUpdateTime: tick() });
}

/** `docker push <uri>:<tag>`: the tag moves to the new image. */
function push(tag: string, imageDigest: string): void {
  for (const tags of world.images.values()) tags.delete(tag);
  world.images.set(imageDigest, new Set([...(world.images.get(imageDigest) ?? []), tag]));
}

/** A fake's answer as the SDK gives it: a promise, rejected when the fake throws. */
const answer =
  <I, O>(fake: (input: I) => O) =>
  (input: I): Promise<O> =>
    new Promise<O>((resolve) => resolve(fake(input)));

function fakeAws(): void {
  cfn.on(DescribeStacksCommand).callsFake(() => ({
    Stacks: [
      {
        StackName: STACK,
        CreationTime: new Date(0),
        StackStatus: world.stackStatus,
        Parameters: [{ ParameterKey: 'ImageVersion', ParameterValue: world.imageVersion }],
        Outputs: [
          { OutputKey: 'ServiceArn', OutputValue: SERVICE },
          { OutputKey: 'ReleasePipelineName', OutputValue: PIPELINE },
          { OutputKey: 'ImageRepositoryUri', OutputValue: URI },
        ],
      },
    ],
  }));
  cfn.on(UpdateStackCommand).callsFake(answer((input: UpdateStackCommandInput) => {
    world.imageVersion = (input.Parameters as Parameter[]).find((p) => p.ParameterKey === 'ImageVersion')?.ParameterValue ?? world.imageVersion;
    world.stackStatus = 'UPDATE_IN_PROGRESS';
    return { StackId: STACK };
  }));
  ecr.on(DescribeImagesCommand).callsFake(answer((input: DescribeImagesCommandInput) => {
    const id = input.imageIds?.[0] ?? {};
    const found = [...world.images].find(([d, tags]) => d === id.imageDigest || (id.imageTag !== undefined && tags.has(id.imageTag)));
    if (input.repositoryName !== REPOSITORY || !found) throw new ImageNotFoundException({ message: `The image with imageId ${JSON.stringify(id)} does not exist`, $metadata: {} });
    return { imageDetails: [{ repositoryName: REPOSITORY, imageDigest: found[0], imageTags: [...found[1]] }] };
  }));
  ecr.on(BatchGetImageCommand).callsFake((input: BatchGetImageCommandInput) => ({
    images: (input.imageIds ?? []).map((i) => ({ imageId: i, imageManifest: JSON.stringify({ digest: i.imageDigest }), imageManifestMediaType: 'application/vnd.oci.image.index.v1+json' })),
  }));
  ecr.on(PutImageCommand).callsFake(answer((input: PutImageCommandInput) => {
    const tags = world.images.get(input.imageDigest as string);
    if (!tags || input.imageManifest !== JSON.stringify({ digest: input.imageDigest })) throw new Error('PutImage: another manifest would be a new image');
    if (tags.has(input.imageTag as string)) throw new ImageAlreadyExistsException({ message: 'already tagged', $metadata: {} });
    tags.add(input.imageTag as string);
    return { image: { imageId: { imageDigest: input.imageDigest, imageTag: input.imageTag } } };
  }));
  ecs.on(ListServiceDeploymentsCommand).callsFake((input: ListServiceDeploymentsCommandInput) => ({
    serviceDeployments: world.deployments.filter((d) => !input.status || input.status.includes(d.status as never)).slice(0, input.maxResults ?? 20),
  }));
  ecs.on(DescribeServiceRevisionsCommand).callsFake((input: DescribeServiceRevisionsCommandInput) => ({
    serviceRevisions: (input.serviceRevisionArns ?? []).map((arn) => ({ serviceRevisionArn: arn, containerImages: [{ containerName: 'app', ...world.revisions.get(arn) }] })),
  }));
  codepipeline.on(GetPipelineCommand).resolves({
    pipeline: {
      name: PIPELINE,
      roleArn: 'role',
      stages: [
        { name: 'Source', actions: [{ name: 'Image', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'ECR', version: '1' }, configuration: { RepositoryName: REPOSITORY, ImageTag: 'latest' } }] },
        { name: 'Deploy', actions: [{ name: 'Deploy', actionTypeId: { category: 'Invoke', owner: 'AWS', provider: 'Lambda', version: '1' } }] },
      ],
    },
  });
  codepipeline.on(ListPipelineExecutionsCommand).callsFake(() => ({ pipelineExecutionSummaries: world.executions.map((e) => ({ ...e })) }));
  codepipeline.on(GetPipelineExecutionCommand).callsFake(answer((input: GetPipelineExecutionCommandInput) => {
    const e = world.executions.find((x) => x.pipelineExecutionId === input.pipelineExecutionId);
    if (!e) throw Object.assign(new Error('not found'), { name: 'PipelineExecutionNotFoundException' });
    return { pipelineExecution: { pipelineName: PIPELINE, pipelineExecutionId: e.pipelineExecutionId, status: e.status, trigger: e.trigger, executionType: e.executionType, rollbackMetadata: e.rollbackMetadata } };
  }));
  codepipeline.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [] });
  codepipeline.on(StartPipelineExecutionCommand).callsFake(async (input: StartPipelineExecutionCommandInput) => {
    const id = `exec-${world.executions.length + 1}`;
    await runExecution(id, input.sourceRevisions?.[0]?.revisionValue as string, { triggerType: 'StartPipelineExecution', triggerDetail: OPERATOR });
    return { pipelineExecutionId: id };
  });
  codepipeline.on(RollbackStageCommand).callsFake(async (input: RollbackStageCommandInput) => {
    const target = world.executions.find((e) => e.pipelineExecutionId === input.targetPipelineExecutionId) as PipelineExecutionSummary;
    const id = `exec-${world.executions.length + 1}`;
    await runExecution(id, target.sourceRevisions?.[0]?.revisionId as string, { triggerType: 'ManualRollback', triggerDetail: OPERATOR }, target.pipelineExecutionId);
    return { pipelineExecutionId: id };
  });
}

async function shipshape(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...args, '--stack', STACK], testCliContext(new Date(world.clock).toISOString(), out), (line) => err.push(line));
  return { code, out, err };
}

interface StatusJson {
  currentRevision?: string;
  previousRevision?: string;
  imageRepository?: string;
  revisions: { current?: RevisionRelease; previous?: RevisionRelease };
}

async function status(): Promise<{ json: StatusJson; text: string[] }> {
  const json = await shipshape('status', '--json');
  const text = await shipshape('status');
  expect([json.code, text.code, ...json.err, ...text.err]).toEqual([0, 0]);
  return { json: JSON.parse(json.out.join('\n')) as StatusJson, text: text.out };
}

beforeAll(() => {
  for (const mock of [cfn, ecs, ecr, codepipeline]) mock.reset();
  // The first cdk deploy: ImageVersion is the sentinel, the service runs the image cdk built as an asset.
  world = { imageVersion: 'initial', stackStatus: 'CREATE_COMPLETE', images: new Map(), deployments: [], revisions: new Map(), executions: [], clock: Date.parse('2026-12-02T09:00:00Z') };
  deploy(`${ASSETS}:0a1b2c`, digest(9));
  fakeAws();
});
afterAll(() => {
  for (const mock of [cfn, ecs, ecr, codepipeline]) mock.restore();
});

test('1. after the first deploy, status says the service runs the initial image and where to push', async () => {
  const { json, text } = await status();
  expect(json.currentRevision).toBe(revision(1));
  expect(json.imageRepository).toBe(URI);
  expect(json.revisions.current).toEqual({ revisionArn: revision(1), image: `${ASSETS}:0a1b2c`, digest: digest(9), initial: true });
  expect(text).toContain(`Images    ${URI}`);
  expect(text).toContain(`          initial image (built by cdk deploy), no release yet — push to ${URI}:latest to release`);
  expect(ecr).not.toHaveReceivedCommandWith(DescribeImagesCommand, { imageIds: [{ imageDigest: digest(9) }] });
});

test('2. a push to latest releases: the release step tags the image release-exec-1, status maps the revision to that release', async () => {
  push('latest', digest(1));
  await runExecution('exec-1', digest(1), { triggerType: 'CloudWatchEvent', triggerDetail: PUSH_RULE });
  expect([...(world.images.get(digest(1)) ?? [])]).toEqual(['latest', 'release-exec-1']);
  expect(world.imageVersion).toBe(`@${digest(1)}`);
  const { json, text } = await status();
  expect(json.revisions.current).toEqual({
    revisionArn: revision(2),
    image: `${URI}@${digest(1)}`,
    digest: digest(1),
    initial: false,
    release: { executionId: 'exec-1', status: 'Succeeded', startTime: '2026-12-02T09:02:00.000Z', triggerType: 'CloudWatchEvent', triggerDetail: PUSH_RULE },
  });
  expect(json.revisions.previous).toMatchObject({ revisionArn: revision(1), initial: true });
  expect(text).toContain(`          release exec-1 (Succeeded, started 2026-12-02T09:02:00.000Z), started by a push to the watched tag (${PUSH_RULE})`);
  expect(text).toContain('          initial image (built by cdk deploy), before the first release');
});

test('3. shipshape release v2 releases a pushed tag by digest: release 2 current, release 1 previous', async () => {
  push('v2', digest(2));
  const released = await shipshape('release', 'v2');
  expect(released.err).toEqual([]);
  expect(released.code).toBe(0);
  expect(codepipeline).toHaveReceivedCommandWith(StartPipelineExecutionCommand, { name: PIPELINE, sourceRevisions: [{ actionName: 'Image', revisionType: 'IMAGE_DIGEST', revisionValue: digest(2) }] });
  expect(released.out.at(-1)).toBe('Release exec-2 succeeded.');
  expect([...(world.images.get(digest(2)) ?? [])]).toEqual(['v2', 'release-exec-2']);
  const { json } = await status();
  expect([json.currentRevision, json.previousRevision]).toEqual([revision(3), revision(2)]);
  expect(json.revisions.current?.release).toMatchObject({ executionId: 'exec-2', status: 'Succeeded', triggerType: 'StartPipelineExecution', triggerDetail: OPERATOR });
  expect(json.revisions.previous?.release).toMatchObject({ executionId: 'exec-1', triggerType: 'CloudWatchEvent' });
});

test('4. shipshape rollback redeploys release 1 through the pipeline: status shows its image current again, deployed by the rollback execution', async () => {
  const rolled = await shipshape('rollback', '--yes');
  expect(rolled.err).toEqual([]);
  expect(rolled.code).toBe(0);
  expect(codepipeline).toHaveReceivedCommandWith(RollbackStageCommand, { pipelineName: PIPELINE, stageName: 'Deploy', targetPipelineExecutionId: 'exec-1' });
  expect(world.imageVersion).toBe(`@${digest(1)}`);
  expect([...(world.images.get(digest(1)) ?? [])]).toEqual(['latest', 'release-exec-1', 'release-exec-3']);
  const { json, text } = await status();
  expect([json.currentRevision, json.previousRevision]).toEqual([revision(4), revision(3)]);
  expect(json.revisions.current).toMatchObject({
    digest: digest(1),
    release: { executionId: 'exec-3', status: 'Succeeded', triggerType: 'ManualRollback', triggerDetail: OPERATOR, rollbackOf: 'exec-1' },
  });
  expect(json.revisions.previous?.release).toMatchObject({ executionId: 'exec-2' });
  expect(text).toContainEqual(expect.stringMatching(/^ {10}release exec-3 \(Succeeded, started .*\), started by a manual rollback to release exec-1 by arn:aws:sts::111111111111:assumed-role\/operator\/alice$/));
});
