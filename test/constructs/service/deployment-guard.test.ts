import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { ProductionNetwork } from '../../../constructs/network';
import { imageVersionParameter, VersionedEcrImage } from '../../../constructs/pipeline';
import { RedundantService, type RedundantServiceProps, ReleaseStrategy } from '../../../constructs/service';
import { newApp } from '../../helpers/reference-app';
import { synthWithFindings } from '../../helpers/policy-findings';

/** A blue/green service whose image version is a stack parameter (as the kit's stacks have it), with the policy packs. */
function composed(props: Partial<RedundantServiceProps> = {}, initialTag = 'v1') {
  const app = newApp();
  const stack = new Stack(app, 'Shop');
  const network = new ProductionNetwork(stack, 'Net');
  const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'shop');
  const imageVersion = imageVersionParameter(stack, 'ImageVersion', initialTag, 'service image');
  const service = new RedundantService(stack, 'Web', { vpc: network.vpc, taskSubnets: network.appSubnets, image: new VersionedEcrImage(repository, imageVersion.valueAsString), ...props });
  const synthesized = synthWithFindings(app, stack);
  return { stack, service, template: Template.fromJSON(synthesized.template), findings: synthesized.findings };
}

const definitionOf = (template: Template) => {
  const [guard] = Object.values(template.findResources('Custom::ShipshapeDeploymentGuard')) as Array<{ Properties: { Definition: string } }>;
  return guard.Properties.Definition;
};

describe('DeploymentGuard: a blue/green service refuses a cdk deploy over a running deployment', () => {
  const { stack, service, template, findings } = composed();
  const guard = service.deploymentGuard!;
  const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

  test('one guard, naming the cluster and a hash of the service definition', () => {
    template.resourceCountIs('Custom::ShipshapeDeploymentGuard', 1);
    template.hasResourceProperties('Custom::ShipshapeDeploymentGuard', {
      Cluster: { 'Fn::GetAtt': [idOf(service.cluster), 'Arn'] },
      Definition: Match.stringLikeRegexp('^[0-9a-f]{64}$'),
    });
  });

  test('the ECS service depends on the guard; the guard does not reference the service', () => {
    const resources = template.toJSON().Resources as Record<string, { DependsOn?: string[]; Properties?: unknown }>;
    const guardId = idOf(guard.resource);
    expect(resources[idOf(service.service)].DependsOn).toContain(guardId);
    expect(JSON.stringify(resources[guardId])).not.toContain(idOf(service.service));
  });

  test('the guard may read its own stack, list the cluster\'s services and their deployments, and nothing else', () => {
    const cluster = { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [idOf(service.cluster), 'Arn'] } } };
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: idOf(guard.function.role!) }],
      PolicyDocument: {
        Statement: [
          { Action: 'ecs:ListServices', Condition: cluster, Effect: 'Allow', Resource: '*' },
          {
            Action: 'ecs:ListServiceDeployments',
            Condition: cluster,
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':service/$'), { Ref: idOf(service.cluster) }, '/*'])] },
          },
          { Action: 'cloudformation:DescribeStacks', Effect: 'Allow', Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':stack/Shop/\\*$')])] } },
        ],
      },
    });
  });

  test('the policy packs find nothing unacknowledged', () => {
    expect(findings.map((f) => `${f.constructPath}: ${f.rule}`)).toEqual([]);
  });
});

describe('DeploymentGuard: its hash changes exactly when the service definition does', () => {
  const base = definitionOf(composed().template);

  test('the same app synthesized again gives the same hash', () => {
    expect(definitionOf(composed().template)).toBe(base);
  });

  test('a release (another image version parameter value) leaves it unchanged', () => {
    expect(definitionOf(composed({}, 'v2').template)).toBe(base);
  });

  test('a task definition change (task size) changes it', () => {
    expect(definitionOf(composed({ cpu: 1024, memoryLimitMiB: 2048 }).template)).not.toBe(base);
  });

  test('a service change (desired count) changes it', () => {
    expect(definitionOf(composed({ desiredCount: 3 }).template)).not.toBe(base);
  });
});

describe('DeploymentGuard: when there is none', () => {
  const build = (props: Partial<RedundantServiceProps>) => {
    const stack = new Stack();
    const network = new ProductionNetwork(stack, 'Net');
    const service = new RedundantService(stack, 'Web', { vpc: network.vpc, image: new VersionedEcrImage(ecr.Repository.fromRepositoryName(stack, 'Repo', 'shop'), ':v1'), ...props });
    return { service, template: Template.fromStack(stack) };
  };

  test('deploymentGuard: false', () => {
    const { service, template } = build({ deploymentGuard: false });
    expect(service.deploymentGuard).toBeUndefined();
    template.resourceCountIs('Custom::ShipshapeDeploymentGuard', 0);
  });

  test('rolling releases (CloudFormation waits for a rolling deployment; there is no bake to cut short)', () => {
    const { service, template } = build({ releaseStrategy: ReleaseStrategy.ROLLING });
    expect(service.deploymentGuard).toBeUndefined();
    template.resourceCountIs('Custom::ShipshapeDeploymentGuard', 0);
  });
});
