import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { ProductionNetwork } from '../../../constructs/network';
import { imageVersionParameter, type MigrationOptions, ReleasePipeline, VersionedEcrImage } from '../../../constructs/pipeline';
import { RedundantService } from '../../../constructs/service';
import { newApp } from '../../helpers/reference-app';
import { synthWithFindings } from '../../helpers/policy-findings';

/** A service released by a pipeline with a migration, synthesized with the policy packs. */
function composed(migration: Partial<MigrationOptions> = {}) {
  const app = newApp();
  const stack = new Stack(app, 'Shop');
  const network = new ProductionNetwork(stack, 'Net');
  const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'shop');
  const imageVersion = imageVersionParameter(stack, 'ImageVersion', 'v1', 'service image');
  const service = new RedundantService(stack, 'Web', { vpc: network.vpc, taskSubnets: network.appSubnets, image: new VersionedEcrImage(repository, imageVersion.valueAsString) });
  const pipeline = new ReleasePipeline(stack, 'Release', { service, repository, imageVersion, source: { kind: 'ecr' }, migration: { command: ['npm', 'run', 'migrate'], ...migration } });
  const synthesized = synthWithFindings(app, stack);
  return { stack, service, pipeline, template: Template.fromJSON(synthesized.template), findings: synthesized.findings };
}

const { stack, service, pipeline, template, findings } = composed();
const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

describe('FirstMigration: the stack create runs the migration before the service', () => {
  const first = pipeline.firstMigration!;
  const resourceId = stack.getLogicalId(first.resource.node.defaultChild as never);

  test('one custom resource names the cluster, the migration family (not a revision), the task subnets, the migration security group and the log group', () => {
    template.resourceCountIs('Custom::ShipshapeFirstMigration', 1);
    template.hasResourceProperties('Custom::ShipshapeFirstMigration', {
      Cluster: { 'Fn::GetAtt': [idOf(service.cluster), 'Arn'] },
      TaskDefinitionFamily: pipeline.migrationTaskDefinition!.family,
      SecurityGroups: [{ 'Fn::GetAtt': [idOf(pipeline.migrationSecurityGroup!), 'GroupId'] }],
      ContainerName: 'migrate',
      LogStreamPrefix: 'migrate',
      TimeoutMinutes: 30,
      LogGroup: Match.anyValue(),
    });
  });

  test('the ECS service depends on it; it depends on the migration task definition and security group, not on the service', () => {
    const resources = template.toJSON().Resources as Record<string, { DependsOn?: string[] }>;
    expect(resources[idOf(service.service)].DependsOn).toContain(resourceId);
    expect(resources[resourceId].DependsOn).toEqual(expect.arrayContaining([idOf(pipeline.migrationTaskDefinition!), idOf(pipeline.migrationSecurityGroup!)]));
    expect(resources[resourceId].DependsOn).not.toContain(idOf(service.service));
  });

  test('the Provider framework polls the task every 15 s and gives up 5 minutes after the migration timeout', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      DefinitionString: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('"IntervalSeconds":15,"MaxAttempts":140')])] }),
    });
  });

  test('the start function may run only the migration family on this cluster and pass only its two roles to ECS', () => {
    const family = `task-definition/${pipeline.migrationTaskDefinition!.family}:*`;
    const cluster = { 'ecs:cluster': { 'Fn::GetAtt': [idOf(service.cluster), 'Arn'] } };
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: idOf(first.startFunction.role!) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'ecs:DescribeTaskDefinition', Resource: '*' }),
          Match.objectLike({ Action: 'ecs:RunTask', Condition: { ArnEquals: cluster }, Resource: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([`:${family}`])] }) }),
          Match.objectLike({ Action: 'iam:PassRole', Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } }),
        ]),
      },
    });
  });

  test('the wait function may describe and stop this cluster\'s tasks only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: idOf(first.waitFunction.role!) }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: ['ecs:DescribeTasks', 'ecs:StopTask'],
            Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [idOf(service.cluster), 'Arn'] } } },
            Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':task/$'), { Ref: idOf(service.cluster) }, '/*'])] },
          }),
        ],
      },
    });
  });

  test('the policy packs find nothing unacknowledged', () => {
    expect(findings.map((f) => `${f.constructPath}: ${f.rule} ${f.description.slice(0, 200)}`)).toEqual([]);
  });
});

describe('FirstMigration: the database rule comes first', () => {
  test('a database security group in another stack admits the migration task (a rule the pipeline stack holds) before the task runs', () => {
    const app = newApp();
    const data = new Stack(app, 'Data');
    const network = new ProductionNetwork(data, 'Net');
    const databaseGroup = new ec2.SecurityGroup(data, 'Database', { vpc: network.vpc });
    const web = new Stack(app, 'Web');
    const repository = ecr.Repository.fromRepositoryName(web, 'Repo', 'shop');
    const imageVersion = imageVersionParameter(web, 'ImageVersion', 'v1', 'service image');
    const service = new RedundantService(web, 'Web', { vpc: network.vpc, taskSubnets: network.appSubnets, image: new VersionedEcrImage(repository, imageVersion.valueAsString) });
    const release = new ReleasePipeline(web, 'Release', { service, repository, imageVersion, source: { kind: 'ecr' }, migration: { command: ['migrate'] } });
    // As ResilientDatabase.allowConnectionsFrom does it, after the pipeline exists.
    databaseGroup.addIngressRule(release.migrationSecurityGroup!, ec2.Port.tcp(5432), 'the migration task', true);
    const resources = Template.fromStack(web).toJSON().Resources as Record<string, { Type: string; DependsOn?: string[]; Properties: { Description?: string } }>;
    const [ingress] = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::EC2::SecurityGroupIngress' && r.Properties.Description === 'the migration task').map(([id]) => id);
    expect(ingress).toBeDefined();
    expect(resources[web.getLogicalId(release.firstMigration!.resource.node.defaultChild as never)].DependsOn).toContain(ingress);
  });
});

describe('FirstMigration: options', () => {
  test('runOnFirstDeploy: false creates no custom resource (the pipeline still migrates on releases)', () => {
    const stack2 = new Stack(undefined, 'Shop');
    const network = new ProductionNetwork(stack2, 'Net');
    const repository = ecr.Repository.fromRepositoryName(stack2, 'Repo', 'shop');
    const imageVersion = imageVersionParameter(stack2, 'ImageVersion', 'v1', 'service image');
    const web = new RedundantService(stack2, 'Web', { vpc: network.vpc, image: new VersionedEcrImage(repository, imageVersion.valueAsString) });
    const release = new ReleasePipeline(stack2, 'Release', { service: web, repository, imageVersion, source: { kind: 'ecr' }, migration: { command: ['migrate'], runOnFirstDeploy: false } });
    expect(release.firstMigration).toBeUndefined();
    Template.fromStack(stack2).resourceCountIs('Custom::ShipshapeFirstMigration', 0);
  });

  test('a migration timeout the first deploy cannot wait for is refused, naming the props', () => {
    const stack2 = new Stack(undefined, 'Shop');
    const network = new ProductionNetwork(stack2, 'Net');
    const repository = ecr.Repository.fromRepositoryName(stack2, 'Repo', 'shop');
    const imageVersion = imageVersionParameter(stack2, 'ImageVersion', 'v1', 'service image');
    const web = new RedundantService(stack2, 'Web', { vpc: network.vpc, image: new VersionedEcrImage(repository, imageVersion.valueAsString) });
    expect(() => new ReleasePipeline(stack2, 'Release', { service: web, repository, imageVersion, source: { kind: 'ecr' }, migration: { command: ['migrate'], timeout: Duration.minutes(90) } })).toThrow(
      /migration.timeout \(90 min\) is over the 55 minutes.*migration.runOnFirstDeploy to false/,
    );
  });
});
