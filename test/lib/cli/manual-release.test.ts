import { CloudFormationClient, DescribeStacksCommand, type Parameter } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import {
  DescribeServiceRevisionsCommand,
  type DescribeServiceRevisionsCommandInput,
  ECSClient,
  ListServiceDeploymentsCommand,
  type ListServiceDeploymentsCommandInput,
  type ServiceDeploymentBrief,
  type ServiceRevision,
  StopServiceDeploymentCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { main } from '../../../lib/cli';
import { testCliContext } from '../../helpers/cli';

const SERVICE = 'arn:aws:ecs:eu-west-1:111111111111:service/shop-cluster/shop';
const REPO = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop';
const DIGEST_7 = `sha256:${'7'.repeat(64)}`;
const cfn = mockClient(CloudFormationClient);
const ecs = mockClient(ECSClient);
const codepipeline = mockClient(CodePipelineClient);
let out: string[];
let err: string[];
const run = (...args: string[]) => main(args, testCliContext('2026-12-02T04:00:00Z', out), (line) => err.push(line));

/** A stateless stack without a pipeline, as DescribeStacks shows it; an ECR image has its ImageVersion parameter. */
function stack(parameters: Parameter[]): void {
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'shop-stateless', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Parameters: parameters, Outputs: [{ OutputKey: 'ServiceArn', OutputValue: SERVICE }] }],
  });
}

/** ECS's deployments (newest first) and revisions, answered as ListServiceDeployments filters by status. */
function service(deployments: ServiceDeploymentBrief[], revisions: ServiceRevision[]): void {
  ecs.on(ListServiceDeploymentsCommand).callsFake((input: ListServiceDeploymentsCommandInput) => ({
    serviceDeployments: deployments.filter((d) => !input.status || input.status.includes(d.status as never)).slice(0, input.maxResults ?? 20),
  }));
  ecs.on(DescribeServiceRevisionsCommand).callsFake((input: DescribeServiceRevisionsCommandInput) => ({
    serviceRevisions: revisions.filter((r) => input.serviceRevisionArns?.includes(r.serviceRevisionArn as string)),
  }));
}

const HISTORY: ServiceDeploymentBrief[] = [
  { serviceDeploymentArn: 'd9', status: 'ROLLBACK_SUCCESSFUL', targetServiceRevisionArn: 'rev-9' },
  { serviceDeploymentArn: 'd8', status: 'SUCCESSFUL', targetServiceRevisionArn: 'rev-8' },
  { serviceDeploymentArn: 'd7', status: 'SUCCESSFUL', targetServiceRevisionArn: 'rev-7' },
];

beforeEach(() => {
  cfn.reset();
  ecs.reset();
  codepipeline.reset();
  out = [];
  err = [];
});

test('an ECR image and no pipeline: nothing changes, and the message gives the cdk deploy command with the previous digest', async () => {
  stack([{ ParameterKey: 'ImageVersion', ParameterValue: ':v8' }, { ParameterKey: 'BootstrapVersion', ParameterValue: '/cdk-bootstrap/hnb659fds/version' }]);
  service(HISTORY, [
    { serviceRevisionArn: 'rev-8', containerImages: [{ containerName: 'app', image: `${REPO}:v8`, imageDigest: `sha256:${'8'.repeat(64)}` }] },
    { serviceRevisionArn: 'rev-7', containerImages: [{ containerName: 'app', image: `${REPO}:v7`, imageDigest: DIGEST_7 }] },
  ]);
  await expect(run('rollback', '--stack', 'shop-stateless', '--yes')).resolves.toBe(1);
  expect(err.join('\n')).toBe(
    'shipshape: No deployment is in progress and stack shop-stateless has no release pipeline, so there is no release to roll back to: nothing changed. ' +
      'To deploy the previous image by hand (a CloudFormation update, blue/green like a release), from the checkout that deployed the stack run:\n' +
      `  npx cdk deploy --exclusively shop-stateless --parameters ImageVersion=@${DIGEST_7}\n` +
      `The service runs ImageVersion :v8 now; the previous revision ran ${REPO}:v7 (${DIGEST_7}). See docs/manual-release.md.`,
  );
  expect(ecs).not.toHaveReceivedCommand(StopServiceDeploymentCommand);
  expect(codepipeline.calls()).toHaveLength(0);
});

test('an ECR image with no earlier deployment listed: the command with a placeholder and where to find the version', async () => {
  stack([{ ParameterKey: 'ImageVersion', ParameterValue: ':v1' }]);
  service([{ serviceDeploymentArn: 'd1', status: 'SUCCESSFUL', targetServiceRevisionArn: 'rev-1' }], []);
  await expect(run('rollback', '--stack', 'shop-stateless')).resolves.toBe(1);
  expect(err.join('\n')).toMatch(/--parameters ImageVersion=<:tag or @sha256:digest of the previous image>\n/);
  expect(err.join('\n')).toMatch(/ECS lists no earlier completed deployment: take the previous tag or digest from ECR/);
});

test('an image given by URI and no pipeline: set service.image.uri back to the previous image, then cdk deploy', async () => {
  stack([]);
  service(HISTORY, [{ serviceRevisionArn: 'rev-7', containerImages: [{ containerName: 'app', image: 'ghcr.io/shop/app:1.4.1' }] }]);
  await expect(run('rollback', '--stack', 'shop-stateless')).resolves.toBe(1);
  expect(err.join('\n')).toBe(
    'shipshape: No deployment is in progress and stack shop-stateless has no release pipeline, so there is no release to roll back to: nothing changed. ' +
      'The image is set by URI in the configuration: set service.image.uri back to ghcr.io/shop/app:1.4.1 (in shipshape.config.json, or the shipshape object in cdk.json), then run\n' +
      '  npx cdk deploy --exclusively shop-stateless\n' +
      'See docs/manual-release.md.',
  );
});

test('a deployment in progress is still stopped with rollback without a pipeline', async () => {
  stack([{ ParameterKey: 'ImageVersion', ParameterValue: ':v9' }]);
  service([{ serviceDeploymentArn: 'd9', status: 'IN_PROGRESS', targetServiceRevisionArn: 'rev-9' }, ...HISTORY.slice(1)], []);
  await expect(run('rollback', '--stack', 'shop-stateless')).resolves.toBe(2);
  expect(out[0]).toMatch(/Deployment d9 \(IN_PROGRESS\) of revision rev-9 will be stopped and traffic moved back to the previous revision/);
  expect(err).toEqual(['shipshape: Nothing changed: run again with --yes to do this.']);
});
