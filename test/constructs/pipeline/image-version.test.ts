import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IMAGE_VERSION_PATTERN, imageVersionParameter, INITIAL_IMAGE_VERSION, RELEASED_IMAGE_VERSION_PATTERN, VersionedEcrImage } from '../../../constructs/pipeline';

const DIGEST = `@sha256:${'a'.repeat(64)}`;

/** A directory with a Dockerfile: an image asset needs one at synth (and Docker only at deploy). */
function dockerDirectory(): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-image-'));
  fs.writeFileSync(path.join(directory, 'Dockerfile'), 'FROM scratch\n');
  return directory;
}

function taskWith(stack: Stack, id: string, image: ecs.ContainerImage): ecs.FargateTaskDefinition {
  const task = new ecs.FargateTaskDefinition(stack, id);
  task.addContainer('app', { image });
  return task;
}

type Resources = Record<string, { Properties: Record<string, unknown> }>;

function imageOf(template: Template, taskId: string): unknown {
  const [task] = Object.entries(template.findResources('AWS::ECS::TaskDefinition') as Resources).filter(([id]) => id.startsWith(taskId));
  return (task[1].Properties.ContainerDefinitions as Array<{ Image: unknown }>)[0].Image;
}

/** How many Fn::If sit inside another Fn::If in `value`. */
function nestedIfs(value: unknown, insideIf = false): number {
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + nestedIfs(item, insideIf), 0);
  if (typeof value !== 'object' || value === null) return 0;
  return Object.entries(value).reduce((sum, [key, item]) => sum + (key === 'Fn::If' && insideIf ? 1 : 0) + nestedIfs(item, insideIf || key === 'Fn::If'), 0);
}

describe('imageVersionParameter', () => {
  test('GIVEN no initial tag THEN the parameter starts at "initial" and accepts it besides tags and digests', () => {
    const stack = new Stack();
    imageVersionParameter(stack, 'ImageVersion', undefined, 'service image');
    Template.fromStack(stack).hasParameter('ImageVersion', { Type: 'String', Default: INITIAL_IMAGE_VERSION, AllowedPattern: IMAGE_VERSION_PATTERN });
    for (const version of [INITIAL_IMAGE_VERSION, ':v1.2', DIGEST]) expect(version).toMatch(new RegExp(IMAGE_VERSION_PATTERN));
    for (const version of ['v1', 'initial:', ':', '@sha256:abc', ':-x']) expect(version).not.toMatch(new RegExp(IMAGE_VERSION_PATTERN));
  });

  test('GIVEN an initial tag THEN the parameter starts at it and never accepts "initial": there is no initial image to go back to', () => {
    const stack = new Stack();
    imageVersionParameter(stack, 'ImageVersion', 'v1', 'service image');
    Template.fromStack(stack).hasParameter('ImageVersion', { Default: ':v1', AllowedPattern: RELEASED_IMAGE_VERSION_PATTERN });
    expect(INITIAL_IMAGE_VERSION).not.toMatch(new RegExp(RELEASED_IMAGE_VERSION_PATTERN));
    expect(DIGEST).toMatch(new RegExp(RELEASED_IMAGE_VERSION_PATTERN));
  });
});

describe('GIVEN a service and a migration task on the kit repository, each on its own version parameter, with an image asset as the initial image', () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-test-')) });
  const stack = new Stack(app, 'Shop');
  const repository = new ecr.Repository(stack, 'Repo');
  const asset = new ecrAssets.DockerImageAsset(stack, 'First', { directory: dockerDirectory(), platform: ecrAssets.Platform.LINUX_ARM64 });
  const initialImage = ecs.ContainerImage.fromDockerImageAsset(asset);
  const service = imageVersionParameter(stack, 'ImageVersion', undefined, 'service image');
  const migration = imageVersionParameter(stack, 'MigrationImageVersion', undefined, 'migration image');
  taskWith(stack, 'Service', new VersionedEcrImage(repository, service.valueAsString, { initialImage }));
  taskWith(stack, 'Sidecar', new VersionedEcrImage(repository, service.valueAsString, { initialImage }));
  taskWith(stack, 'Migration', new VersionedEcrImage(repository, migration.valueAsString, { initialImage }));
  const template = Template.fromStack(stack);

  test('THEN each image is the asset while its parameter is "initial", else the repository at the version: one Fn::If, never nested', () => {
    const released = (parameter: string) => ({ 'Fn::Join': ['', Match.arrayWith([{ Ref: 'Repo02AC86CF' }, { Ref: parameter }])] });
    expect(imageOf(template, 'Service')).toEqual({
      'Fn::If': ['ImageVersionIsInitial', expect.objectContaining({ 'Fn::Sub': expect.stringContaining(asset.assetHash) as unknown }), expect.anything()],
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ Image: { 'Fn::If': ['ImageVersionIsInitial', Match.anyValue(), released('ImageVersion')] } })] });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ Image: { 'Fn::If': ['MigrationImageVersionIsInitial', Match.anyValue(), released('MigrationImageVersion')] } })] });
    expect(nestedIfs(template.toJSON().Resources)).toBe(0);
  });

  test('THEN there is one condition per parameter, however many images read it', () => {
    expect(template.toJSON().Conditions).toEqual({
      ImageVersionIsInitial: { 'Fn::Equals': [{ Ref: 'ImageVersion' }, INITIAL_IMAGE_VERSION] },
      MigrationImageVersionIsInitial: { 'Fn::Equals': [{ Ref: 'MigrationImageVersion' }, INITIAL_IMAGE_VERSION] },
    });
  });

  test('THEN each execution role may pull both the asset and the repository images', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources).filter((policy) => JSON.stringify(policy.Properties.Roles).includes('ExecutionRole'));
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      const statements = (policy.Properties.PolicyDocument as { Statement: Array<{ Action: unknown; Resource: unknown }> }).Statement;
      const pulls = statements.filter((s) => JSON.stringify(s.Action).includes('ecr:BatchGetImage')).map((s) => JSON.stringify(s.Resource));
      expect(pulls).toEqual(expect.arrayContaining([expect.stringContaining('"Repo'), expect.stringContaining('container-assets')]));
    }
  });
});

describe('VersionedEcrImage without an initial image', () => {
  test('GIVEN a version parameter THEN the image is the repository at the version, with no condition', () => {
    const stack = new Stack();
    const version = imageVersionParameter(stack, 'ImageVersion', 'v1', 'service image');
    taskWith(stack, 'Service', new VersionedEcrImage(ecr.Repository.fromRepositoryName(stack, 'Repo', 'shop'), version.valueAsString));
    const template = Template.fromStack(stack);
    expect(JSON.stringify(imageOf(template, 'Service'))).toMatch(/^\{"Fn::Join":\["",\[.*\{"Ref":"ImageVersion"\}\]\]\}$/);
    expect(template.toJSON().Conditions).toBeUndefined();
  });

  test('GIVEN the version "initial" THEN synth fails and says an initial image is needed', () => {
    const stack = new Stack();
    expect(() => taskWith(stack, 'Service', new VersionedEcrImage(ecr.Repository.fromRepositoryName(stack, 'Repo', 'shop'), INITIAL_IMAGE_VERSION))).toThrow(/needs options.initialImage/);
  });

  test('GIVEN a literal version and an initial image THEN the image is chosen at synth, with no condition', () => {
    const stack = new Stack();
    const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'shop');
    const initialImage = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');
    taskWith(stack, 'First', new VersionedEcrImage(repository, INITIAL_IMAGE_VERSION, { initialImage }));
    taskWith(stack, 'Released', new VersionedEcrImage(repository, DIGEST, { initialImage }));
    const template = Template.fromStack(stack);
    expect(imageOf(template, 'First')).toBe('public.ecr.aws/docker/library/busybox:stable');
    expect(JSON.stringify(imageOf(template, 'Released'))).toContain(DIGEST);
    expect(template.toJSON().Conditions).toBeUndefined();
  });
});
