import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { NatStrategy, ProductionNetwork } from '../../../constructs/network';
import { imageVersionParameter, ReleasePipeline, VersionedEcrImage } from '../../../constructs/pipeline';
import { RedundantService } from '../../../constructs/service';

/** A Git-source pipeline releasing a service on `cpuArchitecture`: its CodeBuild project, as synthesized. */
function buildProject(cpuArchitecture: ecs.CpuArchitecture): { image: string; type: string; buildCommands: string[] } {
  const stack = new Stack(undefined, 'Shop');
  const network = new ProductionNetwork(stack, 'Network', { natStrategy: NatStrategy.NONE });
  const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'shop');
  const imageVersion = imageVersionParameter(stack, 'ImageVersion', 'v1', 'service image');
  const service = new RedundantService(stack, 'Service', { vpc: network.vpc, taskSubnets: network.appSubnets, cpuArchitecture, image: new VersionedEcrImage(repository, imageVersion.valueAsString) });
  new ReleasePipeline(stack, 'Release', {
    service,
    repository,
    imageVersion,
    source: { kind: 'git', connectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/abc', repository: 'acme/shop' },
  });
  const project = Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'))[0] as {
    Properties: { Environment: { Image: string; Type: string }; Source: { BuildSpec: string } };
  };
  const spec = JSON.parse(project.Properties.Source.BuildSpec) as { phases: { build: { commands: string[] } } };
  return { image: project.Properties.Environment.Image, type: project.Properties.Environment.Type, buildCommands: spec.phases.build.commands };
}

describe('GIVEN a release pipeline that builds the image from Git', () => {
  test('WHEN the service runs on ARM64 THEN the image is built on an ARM build image, so it runs on the tasks', () => {
    const arm = buildProject(ecs.CpuArchitecture.ARM64);
    expect(arm.type).toBe('ARM_CONTAINER');
    expect(arm.image).toMatch(/aarch64/);
  });

  test('WHEN the service runs on x86_64 THEN the build image is the x86 standard image', () => {
    const x86 = buildProject(ecs.CpuArchitecture.X86_64);
    expect(x86.type).toBe('LINUX_CONTAINER');
    expect(x86.image).toBe('aws/codebuild/standard:7.0');
  });

  test('THEN a commit already in the repository is not built or pushed again (commit tags are immutable in the kit\'s repository)', () => {
    const last = buildProject(ecs.CpuArchitecture.ARM64).buildCommands.at(-1) as string;
    expect(last).toMatch(/^if aws ecr describe-images --repository-name \$\{REPOSITORY_NAME\} --image-ids imageTag=\$\{TAG\}.*then echo .*else docker build -t \$\{REPOSITORY_URI\}:\$\{TAG\} \. && docker push \$\{REPOSITORY_URI\}:\$\{TAG\}; fi$/);
  });
});
