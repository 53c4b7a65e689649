import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import { APP_CONTAINER_NAME, type RedundantService } from '../../../constructs';
import { acknowledge } from '../../../constructs/private/acknowledge';

/**
 * The application the service tests run: busybox's httpd serving a few static files from /tmp (the
 * only writable path of the kit's read-only container), as the kit's default user 1000 on the
 * default port 8080. busybox has the wget the default container health check runs. A public image
 * (ECR Public), so a test needs no repository of its own.
 */
export const TEST_IMAGE = 'public.ecr.aws/docker/library/busybox:1.37';
export const TEST_PORT = 8080;

/** A shell script that serves `files` (name → content) on TEST_PORT. */
export function serveFiles(files: Readonly<Record<string, string>>): string {
  const writes = Object.entries(files).map(([name, content]) => `echo '${content}' > /tmp/www/${name}`);
  return ['mkdir -p /tmp/www', ...writes, `exec httpd -f -p ${TEST_PORT} -h /tmp/www`].join(' && ');
}

/** Runs `script` in the service's app container instead of the image's default command. */
export function runScript(service: RedundantService, script: string): void {
  const task = service.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
  task.addPropertyOverride('ContainerDefinitions.0.EntryPoint', ['sh', '-c']);
  task.addPropertyOverride('ContainerDefinitions.0.Command', [script]);
}

/**
 * Another revision of the service's task definition (same family, container name, port, user,
 * sizes, health check and log group), running `script`: what a release registers. A test moves
 * the service to it with ECS `UpdateService`, as the release pipeline's CloudFormation update does.
 */
export function revision(scope: Construct, id: string, service: RedundantService, script: string): ecs.FargateTaskDefinition {
  const original = service.taskDefinition;
  const task = new ecs.FargateTaskDefinition(scope, id, {
    family: original.family,
    cpu: 512,
    memoryLimitMiB: 1024,
    runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    volumes: [{ name: 'tmp' }],
  });
  const linuxParameters = new ecs.LinuxParameters(scope, `${id}Linux`, { initProcessEnabled: true });
  linuxParameters.dropCapabilities(ecs.Capability.ALL);
  const container = task.addContainer(APP_CONTAINER_NAME, {
    containerName: APP_CONTAINER_NAME,
    image: ecs.ContainerImage.fromRegistry(TEST_IMAGE),
    entryPoint: ['sh', '-c'],
    command: [script],
    memoryLimitMiB: 1024,
    portMappings: [{ containerPort: TEST_PORT, name: 'http', appProtocol: ecs.AppProtocol.http }],
    user: '1000',
    readonlyRootFilesystem: true,
    linuxParameters,
    healthCheck: {
      command: ['CMD-SHELL', `wget -q -O /dev/null http://localhost:${TEST_PORT}/health || exit 1`],
      interval: Duration.seconds(10),
      timeout: Duration.seconds(5),
      retries: 3,
      startPeriod: Duration.seconds(30),
    },
    logging: ecs.LogDrivers.awsLogs({ logGroup: service.logGroup, streamPrefix: id, mode: ecs.AwsLogDriverMode.NON_BLOCKING }),
  });
  container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
  acknowledge(
    task.executionRole?.node.tryFindChild('DefaultPolicy'),
    'NIST.800.53.R5-IAMNoInlinePolicy',
    'CDK writes the execution role grants of this test revision (write to the service log group) as the role default policy.',
  );
  return task;
}
