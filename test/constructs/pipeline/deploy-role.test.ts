import { Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as sns from 'aws-cdk-lib/aws-sns';
import { NatStrategy, ProductionNetwork } from '../../../constructs/network';
import { imageVersionParameter, ReleasePipeline, VersionedEcrImage } from '../../../constructs/pipeline';
import { RedundantService } from '../../../constructs/service';
import { newApp } from '../../helpers/reference-app';

type Statement = Record<string, unknown>;

/** A release pipeline in stack Shop; its network in stack Shared (weak references, as cdk.json sets) unless `shared` is false. */
function build(options: { shared?: boolean; env?: StackProps['env'] } = {}) {
  const app = newApp();
  const shop = new Stack(app, 'Shop', { env: options.env });
  const network = new ProductionNetwork(options.shared === false ? shop : new Stack(app, 'Shared', { env: options.env }), 'Network', { natStrategy: NatStrategy.SINGLE });
  const repository = ecr.Repository.fromRepositoryName(shop, 'Repo', 'shop');
  const imageVersion = imageVersionParameter(shop, 'ImageVersion', 'v1', 'service image');
  const service = new RedundantService(shop, 'Service', { vpc: network.vpc, taskSubnets: network.appSubnets, image: new VersionedEcrImage(repository, imageVersion.valueAsString) });
  const pipeline = new ReleasePipeline(shop, 'Release', { service, repository, imageVersion, source: { kind: 'ecr' } });
  return { app, shop, pipeline };
}

function deployStatements(shop: Stack, pipeline: ReleasePipeline): Statement[] {
  const template = Template.fromStack(shop);
  const policyId = shop.getLogicalId(pipeline.deployRole.node.findChild('DefaultPolicy').node.defaultChild as never);
  return (template.toJSON() as { Resources: Record<string, { Properties: { PolicyDocument: { Statement: Statement[] } } }> }).Resources[policyId].Properties.PolicyDocument.Statement;
}

test('GIVEN a stack that reads another stack\'s outputs WHEN it synthesizes THEN the deploy role may describe that stack, and only it', () => {
  const { shop, pipeline } = build();
  const reads = deployStatements(shop, pipeline).filter((s) => JSON.stringify(s.Action).includes('cloudformation:'));
  expect(reads).toEqual([
    {
      Sid: 'ReadOutputsOfShared',
      Effect: 'Allow',
      Action: 'cloudformation:DescribeStacks',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudformation:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':stack/Shared/*']] },
    },
  ]);
});

test('GIVEN the stack id wildcard WHEN the app synthesizes THEN it is acknowledged on the deploy role policy, with its reason', () => {
  const { shop, pipeline } = build();
  Template.fromStack(shop);
  const acknowledged = pipeline.deployRole.node
    .findChild('DefaultPolicy')
    .node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>))
    .map(([id, reason]) => [id.replace(/^annotation::/i, ''), reason]);
  expect(acknowledged).toContainEqual([
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/Shared/*]',
    expect.stringMatching(/stack id of Shared, whose outputs this stack reads with Fn::GetStackOutput/),
  ]);
});

test('GIVEN a stack that reads no other stack WHEN it synthesizes THEN the deploy role may describe no stack', () => {
  const { shop, pipeline } = build({ shared: false });
  expect(JSON.stringify(deployStatements(shop, pipeline))).not.toContain('cloudformation:');
});

test('GIVEN the service the release updates WHEN it synthesizes THEN the deploy role may follow and stop only that service\'s deployments', () => {
  const { shop } = build();
  Template.fromStack(shop).hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Sid: 'FollowServiceDeployments',
          Action: ['ecs:DescribeServiceDeployments', 'ecs:ListServiceDeployments', 'ecs:StopServiceDeployment'],
          Resource: Match.arrayWith([{ 'Fn::Join': ['', Match.arrayWith([':service-deployment/', { Ref: Match.stringLikeRegexp('^ServiceCluster') }, '/', { 'Fn::GetAtt': [Match.stringLikeRegexp('^Service[0-9A-F]{8}$'), 'Name'] }, '/*'])] }]),
        }),
      ]),
    },
  });
});

test('GIVEN a dependency in another account WHEN the app synthesizes THEN it is refused, naming both stacks and the fix', () => {
  const { app, shop } = build({ shared: false, env: { account: '111111111111', region: 'eu-west-1' } });
  const shared = new Stack(app, 'Shared', { env: { account: '222222222222', region: 'eu-west-1' } });
  new sns.Topic(shared, 'Topic');
  shop.addStackDependency(shared);
  expect(() => app.synth()).toThrow(/stack Shop depends on Shared in account 222222222222.*keep both stacks in one account/);
});
