import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { NatStrategy, ProductionNetwork } from '../../../constructs/network';
import { imageVersionParameter, MIGRATION_CONTAINER_NAME, type MigrationOptions, ReleasePipeline, VersionedEcrImage } from '../../../constructs/pipeline';
import { RedundantService } from '../../../constructs/service';

interface Built {
  readonly stack: Stack;
  readonly pipeline: ReleasePipeline;
  readonly template: Template;
}

/** A service on `cpuArchitecture` released by a pipeline with a migration; `migration` adds to its options. */
function build(cpuArchitecture: ecs.CpuArchitecture, migration: Partial<MigrationOptions> = {}, stack = new Stack(undefined, 'Shop')): Built {
  const network = new ProductionNetwork(stack, 'Network', { natStrategy: NatStrategy.NONE });
  const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'shop');
  const imageVersion = imageVersionParameter(stack, 'ImageVersion', undefined, 'service image');
  const initial = migration.initialImage ?? ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');
  const service = new RedundantService(stack, 'Service', {
    vpc: network.vpc,
    taskSubnets: network.appSubnets,
    cpuArchitecture,
    image: new VersionedEcrImage(repository, imageVersion.valueAsString, { initialImage: initial }),
  });
  const pipeline = new ReleasePipeline(stack, 'Release', { service, repository, imageVersion, source: { kind: 'ecr' }, migration: { command: ['migrate'], ...migration } });
  return { stack, pipeline, template: Template.fromStack(stack) };
}

/** The task definition's RuntimePlatform, by its logical id. */
function runtimePlatformOf(built: Built, task: ecs.TaskDefinition): unknown {
  const id = built.stack.getLogicalId(task.node.defaultChild as ecs.CfnTaskDefinition);
  return (built.template.toJSON().Resources as Record<string, { Properties: { RuntimePlatform?: unknown } }>)[id].Properties.RuntimePlatform;
}

describe.each([
  [ecs.CpuArchitecture.ARM64, 'ARM64'],
  [ecs.CpuArchitecture.X86_64, 'X86_64'],
])('GIVEN a service on %s', (cpuArchitecture, expected) => {
  const built = build(cpuArchitecture);

  test('THEN the migration task runs on the same CPU architecture as the service (the image is built for it)', () => {
    const platform = runtimePlatformOf(built, built.pipeline.migrationTaskDefinition!);
    expect(platform).toEqual({ CpuArchitecture: expected, OperatingSystemFamily: 'LINUX' });
    expect(platform).toEqual(runtimePlatformOf(built, built.pipeline.service.taskDefinition));
  });

  test('THEN the first-deploy migration runs that same task family', () => {
    const family = built.stack.resolve(built.pipeline.migrationTaskDefinition!.family) as string;
    built.template.hasResourceProperties('Custom::ShipshapeFirstMigration', { TaskDefinitionFamily: family });
    built.template.hasResourceProperties('AWS::ECS::TaskDefinition', { Family: family, RuntimePlatform: { CpuArchitecture: expected } });
  });
});

test('GIVEN migration.runtimePlatform WHEN the service is on ARM64 THEN the migration task runs where the options say', () => {
  const built = build(ecs.CpuArchitecture.ARM64, { runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX } });
  expect(runtimePlatformOf(built, built.pipeline.migrationTaskDefinition!)).toEqual({ CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' });
});

describe('GIVEN migration.initialImage, an image asset, and a migration version parameter that starts at "initial"', () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-test-')) });
  const stack = new Stack(app, 'Shop');
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-image-'));
  fs.writeFileSync(path.join(directory, 'Dockerfile'), 'FROM scratch\n');
  const asset = new ecrAssets.DockerImageAsset(stack, 'First', { directory, platform: ecrAssets.Platform.LINUX_ARM64 });
  const initialImage = ecs.ContainerImage.fromDockerImageAsset(asset);
  const imageVersion = imageVersionParameter(stack, 'MigrationImageVersion', undefined, 'migration image');
  const built = build(ecs.CpuArchitecture.ARM64, { initialImage, imageVersion }, stack);

  test('THEN the migration container runs the initial image until the version names a release, and the repository image after', () => {
    built.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Name: MIGRATION_CONTAINER_NAME,
          Image: {
            'Fn::If': [
              'MigrationImageVersionIsInitial',
              Match.objectLike({ 'Fn::Sub': Match.stringLikeRegexp(asset.assetHash) }),
              { 'Fn::Join': ['', Match.arrayWith([{ Ref: 'MigrationImageVersion' }])] },
            ],
          },
        }),
      ],
    });
  });

  test("THEN the migration's execution role may pull the initial image from the bootstrap repository", () => {
    const role = built.stack.getLogicalId(built.pipeline.migrationTaskDefinition!.obtainExecutionRole().node.defaultChild as never);
    const policies = Object.values(built.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } }));
    const pulls = policies
      .flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } } }).Properties.PolicyDocument.Statement)
      .filter((statement) => JSON.stringify(statement.Action).includes('ecr:BatchGetImage'))
      .map((statement) => JSON.stringify(statement.Resource));
    expect(pulls).toEqual(expect.arrayContaining([expect.stringContaining('repository/shop'), expect.stringContaining('container-assets')]));
  });
});
