import { type Environment, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { ProductionNetwork } from '../../../constructs/network';
import { imageVersionParameter, ReleasePipeline, type ReleasePipelineProps, VersionedEcrImage } from '../../../constructs/pipeline';
import { RedundantService, ReleaseStrategy } from '../../../constructs/service';
import { newApp } from '../../helpers/reference-app';
import { synthWithFindings } from '../../helpers/policy-findings';

const EXPLICIT: Environment = { account: '111111111111', region: 'eu-west-1' };
const GIT: ReleasePipelineProps['source'] = { kind: 'git', connectionArn: 'arn:aws:codestar-connections:eu-west-1:111111111111:connection/abc-123', repository: 'acme/shop' };

/** A blue/green service with its deployment guard and a release pipeline with a migration, in one stack, with the policy packs. */
function composed(env: Environment | undefined, source: ReleasePipelineProps['source'] | 'no pipeline' = { kind: 'ecr' }) {
  const app = newApp();
  const stack = new Stack(app, 'Shop', { env });
  const network = new ProductionNetwork(stack, 'Net');
  const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'shop');
  const imageVersion = imageVersionParameter(stack, 'ImageVersion', 'v1', 'service image');
  const service = new RedundantService(stack, 'Web', {
    vpc: network.vpc,
    taskSubnets: network.appSubnets,
    image: new VersionedEcrImage(repository, imageVersion.valueAsString),
    releaseStrategy: ReleaseStrategy.BLUE_GREEN,
    deploymentGuard: true,
  });
  const pipeline = source === 'no pipeline' ? undefined : new ReleasePipeline(stack, 'Release', { service, repository, imageVersion, source, migration: { command: ['npm', 'run', 'migrate'] } });
  const synthesized = synthWithFindings(app, stack);
  return { stack, service, pipeline, template: Template.fromJSON(synthesized.template), findings: synthesized.findings };
}

const idOf = (stack: Stack, construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

describe('ReleasePipeline (with migration) + RedundantService (blue/green, guard) pass the policy packs in any environment', () => {
  test.each([
    ['environment-agnostic, image from ECR', undefined, undefined],
    ['explicit account and region, image from ECR', EXPLICIT, undefined],
    ['environment-agnostic, built from git', undefined, GIT],
    ['explicit account and region, built from git', EXPLICIT, GIT],
    ['explicit account and region, the service and its guard without a pipeline', EXPLICIT, 'no pipeline' as const],
  ])('%s: no unacknowledged finding', (_, env, source) => {
    const { findings } = composed(env, source);
    expect(findings.map((f) => `${f.constructPath}: ${f.rule}`)).toEqual([]);
  });

  test('with an explicit environment, the guard\'s stack wildcard is acknowledged by the ARN its policy grants', () => {
    const { stack, service, template } = composed(EXPLICIT);
    const guardRole = service.deploymentGuard!.function.role!;
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: idOf(stack, guardRole) }] } });
    const [policy] = Object.values(policies) as Array<{ Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } }; Metadata: unknown }>;
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Action: 'cloudformation:DescribeStacks', Resource: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Shop/*' }),
    );
    expect(policy.Metadata).toMatchObject({
      cdk_nag: { rules_to_suppress: expect.arrayContaining([expect.objectContaining({ id: 'AwsSolutions-IAM5[Resource::arn:aws:cloudformation:eu-west-1:111111111111:stack/Shop/*]' })]) as unknown },
    });
  });

  test('with an explicit environment, the release step\'s migration wildcards name the real region and account; the bootstrap parameter keeps its pseudo-parameters', () => {
    const { stack, pipeline: created, template } = composed(EXPLICIT);
    const pipeline = created!;
    const family = pipeline.migrationTaskDefinition!.family;
    const cluster = idOf(stack, pipeline.service.cluster);
    template.hasResource('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: idOf(stack, pipeline.releaseFunction.role!) }] },
      Metadata: {
        cdk_nag: {
          rules_to_suppress: Match.arrayWith([
            Match.objectLike({ id: `AwsSolutions-IAM5[Resource::arn:aws:ecs:eu-west-1:111111111111:task-definition/${family}:*]` }),
            Match.objectLike({ id: `AwsSolutions-IAM5[Resource::arn:aws:ecs:eu-west-1:111111111111:task/<${cluster}>/*]` }),
          ]),
        },
      },
    });
    template.hasResource('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: idOf(stack, pipeline.deployRole) }] },
      Metadata: {
        cdk_nag: {
          rules_to_suppress: Match.arrayWith([Match.objectLike({ id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/cdk-bootstrap/*]' })]),
        },
      },
    });
  });
});
