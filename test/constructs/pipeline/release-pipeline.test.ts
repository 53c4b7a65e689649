import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { NatStrategy, ProductionNetwork } from '../../../constructs/network';
import { imageVersionParameter, ReleasePipeline, type ReleasePipelineProps, VersionedEcrImage } from '../../../constructs/pipeline';
import { RedundantService } from '../../../constructs/service';

function build(props: Partial<ReleasePipelineProps> = {}, natStrategy = NatStrategy.PER_AZ) {
  const stack = new Stack(undefined, 'Shop');
  const network = new ProductionNetwork(stack, 'Network', { natStrategy });
  const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'shop');
  const imageVersion = imageVersionParameter(stack, 'ImageVersion', 'v1', 'service image');
  const service = new RedundantService(stack, 'Service', { vpc: network.vpc, taskSubnets: network.appSubnets, image: new VersionedEcrImage(repository, imageVersion.valueAsString) });
  const pipeline = new ReleasePipeline(stack, 'Release', { service, repository, imageVersion, source: { kind: 'ecr' }, migration: { command: ['migrate'] }, ...props });
  return { stack, network, service, pipeline, template: Template.fromStack(stack) };
}

test('the image version parameter accepts a tag or a digest and starts at the configured tag', () => {
  const { template } = build();
  template.hasParameter('ImageVersion', { Type: 'String', Default: ':v1', AllowedPattern: '^(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$' });
  expect(() => imageVersionParameter(new Stack(), 'V', 'not a tag', 'x')).toThrow(/the initial image tag must be a valid tag/);
});

test('the migration task runs where the service tasks run (here isolated subnets, no NAT), with its own security group', () => {
  const { stack, network, pipeline, template } = build({}, NatStrategy.NONE);
  const subnets = stack.resolve(network.vpc.selectSubnets(network.appSubnets).subnetIds) as unknown[];
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('release step') } })) as Array<{
    Properties: { Environment: { Variables: { RELEASE_TARGET: unknown } } };
  }>;
  const target = JSON.stringify(fn.Properties.Environment.Variables.RELEASE_TARGET);
  for (const subnet of subnets) expect(target).toContain(JSON.stringify(subnet));
  expect(target).toContain(stack.getLogicalId(pipeline.migrationSecurityGroup!.node.defaultChild as never));
});

test('the release step may update only its own stack, with the deploy role, and run only the migration family in the cluster', () => {
  const { template } = build();
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Action: ['cloudformation:DescribeStacks', 'cloudformation:UpdateStack', 'cloudformation:CancelUpdateStack', 'cloudformation:DescribeStackResource'], Resource: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':stack/Shop/*'])] }) }),
        Match.objectLike({ Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReleaseDeployRole'), 'Arn'] } }),
        Match.objectLike({ Action: 'ecs:RunTask', Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [Match.stringLikeRegexp('^ServiceCluster'), 'Arn'] } } } }),
      ]),
    },
  });
});

test('the release step may tag images in the release repository only (find, read the manifest, put it with the release tag), and each action passes the execution id', () => {
  const { template } = build();
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Action: ['ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:PutImage'], Resource: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':repository/shop'])] }) }),
      ]),
    },
    Roles: [{ Ref: Match.stringLikeRegexp('^ReleaseReleaseStep') }],
  });
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline')) as Array<{ Properties: { Stages: Array<{ Name: string; Actions: Array<{ Configuration: { UserParameters?: string } }> }> } }>;
  const deploy = pipeline.Properties.Stages.find((stage) => stage.Name === 'Deploy')?.Actions[0].Configuration.UserParameters;
  expect(JSON.parse(deploy as string)).toMatchObject({ kind: 'deploy', executionId: '#{codepipeline.PipelineExecutionId}' });
  expect(JSON.stringify(template.findResources('AWS::Lambda::Function'))).toContain('\\"repositoryName\\":\\"shop\\"');
});

test('the deploy role may pass the blue/green roles to ECS and the task roles to ECS tasks, nothing else', () => {
  const { template } = build();
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } } }).Properties.PolicyDocument.Statement);
  expect(statements.find((s) => s.Sid === 'PassBlueGreenRoles')).toMatchObject({
    Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^ServiceReleaseInfrastructureRole/), 'Arn'] }, { 'Fn::GetAtt': [expect.stringMatching(/^ServiceReleaseSmokeTestHookRole/), 'Arn'] }],
    Condition: { StringEquals: { 'iam:PassedToService': 'ecs.amazonaws.com' } },
  });
});

test.each([
  [{ deployTimeout: Duration.minutes(20) }, /deployTimeout \(20 min\) must leave 15 minutes beyond the service's bake \(10 min\); set it to at least 25 minutes/],
  [{ source: { kind: 'git' as const, connectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/x', repository: 'shop' } }, /source.repository must be "owner\/name" \(got shop\)/],
])('bad input is refused: %o', (props, message) => {
  expect(() => build(props)).toThrow(message);
});
