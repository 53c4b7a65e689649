import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  type ActionDeclaration,
  type ActionExecutionDetail,
  CodePipelineClient,
  GetPipelineCommand,
  GetPipelineExecutionCommand,
  ListActionExecutionsCommand,
  type PipelineExecutionStatus,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { DescribeImagesCommand, ECRClient, ImageNotFoundException } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { main } from '../../../lib/cli';
import { parseVersion } from '../../../lib/cli/release';
import { testCliContext } from '../../helpers/cli';

const SERVICE = 'arn:aws:ecs:eu-west-1:111111111111:service/shop-cluster/shop';
const DIGEST = `sha256:${'c'.repeat(64)}`;
const cfn = mockClient(CloudFormationClient);
const codepipeline = mockClient(CodePipelineClient);
const ecr = mockClient(ECRClient);
let out: string[];
let err: string[];

const run = (...args: string[]) => main(args, testCliContext('2026-12-02T10:00:00Z', out), (line) => err.push(line));

function stack(pipeline = true) {
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'shipshape-stateless',
        CreationTime: new Date(),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: [{ OutputKey: 'ServiceArn', OutputValue: SERVICE }, ...(pipeline ? [{ OutputKey: 'ReleasePipelineName', OutputValue: 'shop-release' }] : [])],
      },
    ],
  });
}

/** The pipeline as GetPipeline describes what ReleasePipeline makes: an ECR source action `Image`, or Git. */
function pipeline(source: 'ecr' | 'git' = 'ecr') {
  const action: ActionDeclaration =
    source === 'ecr'
      ? { name: 'Image', actionTypeId: { category: 'Source' as const, owner: 'AWS' as const, provider: 'ECR', version: '1' }, configuration: { RepositoryName: 'shop', ImageTag: 'latest' } }
      : { name: 'Git', actionTypeId: { category: 'Source' as const, owner: 'AWS' as const, provider: 'CodeStarSourceConnection', version: '1' }, configuration: { FullRepositoryId: 'acme/shop' } };
  codepipeline.on(GetPipelineCommand).resolves({
    pipeline: {
      name: 'shop-release',
      roleArn: 'arn:aws:iam::111111111111:role/p',
      stages: [
        { name: 'Source', actions: [action] },
        { name: 'Deploy', actions: [{ name: 'Deploy', actionTypeId: { category: 'Invoke', owner: 'AWS', provider: 'Lambda', version: '1' } }] },
      ],
    },
  });
}

const action = (stageName: string, actionName: string, status: ActionExecutionDetail['status'], summary?: string, error?: string): ActionExecutionDetail => ({
  pipelineExecutionId: 'exec-2',
  actionExecutionId: `${actionName}-1`,
  stageName,
  actionName,
  status,
  startTime: new Date(stageName === 'Source' ? '2026-12-02T10:00:01Z' : '2026-12-02T10:00:20Z'),
  output: { executionResult: { externalExecutionSummary: summary, errorDetails: error ? { code: 'JobFailed', message: error } : undefined } },
});

/** The execution goes through `steps`, one per poll: its status and its action executions then. */
function execution(steps: Array<[PipelineExecutionStatus, ActionExecutionDetail[]]>) {
  let get = codepipeline.on(GetPipelineExecutionCommand);
  let list = codepipeline.on(ListActionExecutionsCommand);
  for (const [status, actions] of steps) {
    get = get.resolvesOnce({ pipelineExecution: { pipelineExecutionId: 'exec-2', status } });
    list = list.resolvesOnce({ actionExecutionDetails: actions });
  }
}

beforeEach(() => {
  cfn.reset();
  codepipeline.reset();
  ecr.reset();
  out = [];
  err = [];
  stack();
  pipeline();
  ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ repositoryName: 'shop', imageDigest: DIGEST, imageTags: ['v2'] }] });
  codepipeline.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'exec-2' });
});

describe('release <version>', () => {
  test('a tag is resolved to its digest in the source repository and the pipeline started on that digest, then followed to success', async () => {
    execution([
      ['InProgress', [action('Source', 'Image', 'Succeeded')]],
      ['InProgress', [action('Source', 'Image', 'Succeeded'), action('Deploy', 'Deploy', 'InProgress', 'updating shop-stateless: ImageVersion=@sha256:cc')]],
      ['Succeeded', [action('Source', 'Image', 'Succeeded'), action('Deploy', 'Deploy', 'Succeeded', 'shop-stateless runs @sha256:cc')]],
    ]);
    expect(await run('release', 'v2', '--stack', 'shipshape-stateless')).toBe(0);
    expect(codepipeline).toHaveReceivedCommandWith(GetPipelineCommand, { name: 'shop-release' });
    expect(ecr).toHaveReceivedCommandWith(DescribeImagesCommand, { repositoryName: 'shop', imageIds: [{ imageTag: 'v2' }] });
    expect(codepipeline).toHaveReceivedCommandWith(StartPipelineExecutionCommand, {
      name: 'shop-release',
      sourceRevisions: [{ actionName: 'Image', revisionType: 'IMAGE_DIGEST', revisionValue: DIGEST }],
    });
    expect(codepipeline).toHaveReceivedCommandWith(ListActionExecutionsCommand, { pipelineName: 'shop-release', filter: { pipelineExecutionId: 'exec-2' } });
    expect(out).toEqual([
      `Releasing shop@${DIGEST} (v2): pipeline shop-release, execution exec-2`,
      '[15 s] Source/Image Succeeded',
      '[30 s] Deploy/Deploy InProgress: updating shop-stateless: ImageVersion=@sha256:cc',
      '[45 s] Deploy/Deploy Succeeded: shop-stateless runs @sha256:cc',
      'Release exec-2 succeeded.',
    ]);
  });

  test('a digest (with or without @) is looked up by digest', async () => {
    execution([['Succeeded', []]]);
    expect(await run('release', `@${DIGEST}`, '--stack', 'shipshape-stateless')).toBe(0);
    expect(ecr).toHaveReceivedCommandWith(DescribeImagesCommand, { repositoryName: 'shop', imageIds: [{ imageDigest: DIGEST }] });
  });

  test('a failed release exits 1 with the failed action and its message, saying "rolled back" when the deployment was', async () => {
    const message = 'the stack update failed and CloudFormation rolled it back (UPDATE_ROLLBACK_COMPLETE): ECS Deployment Circuit Breaker was triggered';
    execution([['Failed', [action('Source', 'Image', 'Succeeded'), action('Deploy', 'Deploy', 'Failed', undefined, message)]]]);
    expect(await run('release', 'v2', '--stack', 'shipshape-stateless')).toBe(1);
    expect(err.join('\n')).toBe(`shipshape: Release exec-2 failed at Deploy/Deploy: rolled back, the service runs the previous release: ${message}`);
  });

  test('a stopped or superseded release exits 1 and says so', async () => {
    execution([['Superseded', [action('Source', 'Image', 'Succeeded')]]]);
    expect(await run('release', 'v2', '--stack', 'shipshape-stateless')).toBe(1);
    expect(err.join('\n')).toMatch(/Release exec-2 superseded by a newer execution/);
    codepipeline.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { status: 'Stopped', statusSummary: 'Stopped by alice' } });
    codepipeline.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [] });
    err = [];
    expect(await run('release', 'v2', '--stack', 'shipshape-stateless')).toBe(1);
    expect(err.join('\n')).toBe('shipshape: Release exec-2 stopped: Stopped by alice');
  });

  test('--timeout stops following (exit 1) and says the release carries on', async () => {
    codepipeline.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { status: 'InProgress' } });
    codepipeline.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [action('Deploy', 'Deploy', 'InProgress', 'UPDATE_IN_PROGRESS')] });
    expect(await run('release', 'v2', '--stack', 'shipshape-stateless', '--timeout', '1m')).toBe(1);
    expect(err.join('\n')).toMatch(/Stopped following after 1 min: release exec-2 is still InProgress and carries on without this command/);
    expect(out.filter((l) => l.includes('UPDATE_IN_PROGRESS'))).toHaveLength(1);
  });

  test('--no-follow starts it and returns; --json prints JSON', async () => {
    expect(await run('release', 'v2', '--stack', 'shipshape-stateless', '--no-follow', '--json')).toBe(0);
    expect(JSON.parse(out[0])).toEqual({ pipelineName: 'shop-release', pipelineExecutionId: 'exec-2', repository: 'shop', digest: DIGEST, tags: ['v2'] });
    expect(codepipeline).not.toHaveReceivedCommand(GetPipelineExecutionCommand);
  });

  test('an image not in the repository exits 2 naming the repository and the version, and starts nothing', async () => {
    ecr.on(DescribeImagesCommand).rejects(new ImageNotFoundException({ message: 'not found', $metadata: {} }));
    expect(await run('release', 'v9', '--stack', 'shipshape-stateless')).toBe(2);
    expect(err.join('\n')).toMatch(/Image :v9 is not in repository shop: push it there first/);
    expect(codepipeline).not.toHaveReceivedCommand(StartPipelineExecutionCommand);
  });

  test('a pipeline that builds from Git exits 2 and says how to release a commit', async () => {
    pipeline('git');
    expect(await run('release', 'v2', '--stack', 'shipshape-stateless')).toBe(2);
    expect(err.join('\n')).toMatch(/releases from a CodeStarSourceConnection source \(action Git\).*revisionType=COMMIT_ID/);
    expect(ecr.calls()).toHaveLength(0);
    expect(codepipeline).not.toHaveReceivedCommand(StartPipelineExecutionCommand);
  });

  test('a stack without a pipeline exits 2 with the manual command', async () => {
    stack(false);
    expect(await run('release', 'v2', '--stack', 'shipshape-stateless')).toBe(2);
    expect(err.join('\n')).toMatch(/no release pipeline: .*npx cdk deploy --exclusively shipshape-stateless --parameters ImageVersion=:v2/);
  });

  test('usage: a missing or malformed version, an extra argument, a bad --timeout exit 2 before any AWS call', async () => {
    expect(await run('release', '--stack', 's')).toBe(2);
    expect(await run('release', 'v1', 'v2', '--stack', 's')).toBe(2);
    expect(await run('release', 'no/slash', '--stack', 's')).toBe(2);
    expect(await run('release', 'v1', '--stack', 's', '--timeout', 'soon')).toBe(2);
    expect(err).toEqual([
      'shipshape: release: missing <version>, an image tag (v1.2) or digest (sha256:…) (see `shipshape release --help`)',
      'shipshape: release: unexpected argument "v2" (see `shipshape release --help`)',
      'shipshape: <version>: an image tag (v1.2 or :v1.2) or digest (sha256:<64 hex> or @sha256:<64 hex>) (got no/slash)',
      'shipshape: --timeout: a duration such as 90s, 45m or 2h (got soon)',
    ]);
    expect(cfn.calls()).toHaveLength(0);
  });

  test('--help shows the argument, the options and the exit codes', async () => {
    expect(await run('release', '--help')).toBe(0);
    expect(out[0]).toMatch(/^Usage: shipshape release <version> \[--stack S\] \[--no-follow\] \[--timeout T\] \[--json\]/);
    expect(out[0]).toMatch(/Arguments:\n {2}<version> {2}an image tag/);
    expect(out[0]).toMatch(/ {2}2 {2}bad usage, the image is not in the repository/);
  });
});

test('parseVersion: tags and digests, with or without their prefix', () => {
  expect(parseVersion('v1.2')).toEqual({ tag: 'v1.2' });
  expect(parseVersion(':v1.2')).toEqual({ tag: 'v1.2' });
  expect(parseVersion(DIGEST)).toEqual({ digest: DIGEST });
  expect(parseVersion(`@${DIGEST}`)).toEqual({ digest: DIGEST });
  expect(() => parseVersion('sha256:abc')).toThrow(/an image tag .* or digest/);
});
