import {
  CancelUpdateStackCommand,
  type CloudFormationClient,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  type Parameter,
  type Stack,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { BatchGetImageCommand, DescribeImagesCommand, type ECRClient, type ImageIdentifier, PutImageCommand } from '@aws-sdk/client-ecr';
import { DescribeTasksCommand, type ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { startMigrationTask } from './migration-task';
import { releaseTag } from './release-tags';

/** One release action: put a new image version into the stack through CloudFormation. */
export interface ReleaseJob {
  /** `migrate` updates the migration task's version and runs it; `deploy` updates the service's version. */
  readonly kind: 'migrate' | 'deploy';
  /** `:tag` or `@sha256:digest`, appended to the repository URI. */
  readonly version: string;
  /**
   * The pipeline execution running the job: a `deploy` tags the image it deploys `release-<id>`.
   * @default - the execution id of the CodePipeline job's pipeline context
   */
  readonly executionId?: string;
}

/** Where the job acts; fixed per pipeline (the function's environment). */
export interface ReleaseTarget {
  readonly stackName: string;
  /** The ECR repository the released images are in (the deploy step tags the image it deploys there). */
  readonly repositoryName: string;
  /** The role CloudFormation uses for the update. */
  readonly cloudFormationRoleArn: string;
  /** The stack parameter each kind of job sets. */
  readonly parameters: { readonly migrate: string; readonly deploy: string };
  /** How long a stack update (a blue/green deployment with its bake) may take before it is cancelled. */
  readonly updateTimeoutMinutes: number;
  readonly migration?: {
    readonly cluster: string;
    /** Logical id of the migration task definition in the stack (its ARN changes with every version). */
    readonly taskDefinitionLogicalId: string;
    readonly subnets: string[];
    readonly securityGroups: string[];
    readonly containerName: string;
    readonly timeoutMinutes: number;
  };
}

/** What the job remembers between CodePipeline polls (the continuation token). */
export type ReleaseProgress =
  | { readonly phase: 'updating'; readonly since: string }
  | { readonly phase: 'migrating'; readonly taskArn: string; readonly since: string };

export type ReleaseStepResult =
  | { readonly outcome: 'succeeded' | 'failed'; readonly message: string }
  | { readonly outcome: 'continue'; readonly progress: ReleaseProgress; readonly message: string };

export interface ReleaseClients {
  readonly cloudformation: CloudFormationClient;
  readonly ecs: ECSClient;
  readonly ecr: ECRClient;
  readonly now: () => Date;
}

const VERSION = /^(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/;

const minutesSince = (since: string, now: Date) => (now.getTime() - new Date(since).getTime()) / 60_000;

/**
 * One step of a release job. CodePipeline calls the job again (about every 30 s) while it answers
 * `continue`, so no Lambda waits: the stack update, then (migrate) the one-off task, are polled.
 */
export async function releaseStep(clients: ReleaseClients, target: ReleaseTarget, job: ReleaseJob, progress?: ReleaseProgress): Promise<ReleaseStepResult> {
  if (!progress) return startUpdate(clients, target, job);
  if (progress.phase === 'updating') return pollUpdate(clients, target, job, progress);
  return pollMigration(clients, target, progress);
}

async function describeStack(clients: ReleaseClients, stackName: string): Promise<Stack> {
  const stack = (await clients.cloudformation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  if (!stack) throw new Error(`stack ${stackName} not found`);
  return stack;
}

async function startUpdate(clients: ReleaseClients, target: ReleaseTarget, job: ReleaseJob): Promise<ReleaseStepResult> {
  if (!VERSION.test(job.version)) {
    return { outcome: 'failed', message: `image version "${job.version}" is neither ":tag" nor "@sha256:<64 hex>"` };
  }
  if (job.kind === 'migrate' && !target.migration) return { outcome: 'failed', message: 'this pipeline has no migration task' };
  const stack = await describeStack(clients, target.stackName);
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (status.endsWith('_IN_PROGRESS')) {
    return { outcome: 'failed', message: `stack ${target.stackName} is busy (${status}): another release or a cdk deploy is running; retry when it ends` };
  }
  const key = target.parameters[job.kind];
  const existing = stack.Parameters ?? [];
  if (!existing.some((p) => p.ParameterKey === key)) {
    return { outcome: 'failed', message: `stack ${target.stackName} has no parameter ${key}: deploy the stack with this version of shipshape first` };
  }
  if (job.kind === 'deploy') {
    const tagged = await tagRelease(clients, target, job);
    if (tagged) return tagged;
  }
  // Everything but the one version keeps its value, the template included: the stack stays what `cdk deploy` made.
  const parameters: Parameter[] = existing.map((p) =>
    p.ParameterKey === key ? { ParameterKey: key, ParameterValue: job.version } : { ParameterKey: p.ParameterKey, UsePreviousValue: true },
  );
  try {
    await clients.cloudformation.send(
      new UpdateStackCommand({
        StackName: target.stackName,
        UsePreviousTemplate: true,
        Parameters: parameters,
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
        RoleARN: target.cloudFormationRoleArn,
      }),
    );
  } catch (error) {
    if (!/No updates are to be performed/.test((error as Error).message)) throw error;
    if (job.kind === 'deploy') return { outcome: 'succeeded', message: `${key} is already ${job.version}: nothing to deploy` };
    return runMigration(clients, target);
  }
  return { outcome: 'continue', progress: { phase: 'updating', since: clients.now().toISOString() }, message: `updating ${target.stackName}: ${key}=${job.version}` };
}

/** Manifest media types the image may have; ECR returns the manifest as pushed when its type is accepted. */
const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
];

const errorName = (error: unknown) => (error as { name?: string }).name ?? 'Error';

/**
 * Tags the image a deploy releases `release-<execution id>` before the stack changes, so the repository's lifecycle policy
 * keeps it and `shipshape status` maps the running digest to this release. ECR retags without pulling or pushing the image:
 * the manifest (BatchGetImage) put again with a new tag (PutImage), same manifest and media type, so no new image
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-retag.html). A tag already on that image answers
 * ImageAlreadyExistsException ("there were no changes to the manifest or image tag",
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html): tagged, fine.
 * Returns a failed result (nothing changed) when the image cannot be found or tagged, undefined when tagged.
 */
async function tagRelease(clients: ReleaseClients, target: ReleaseTarget, job: ReleaseJob): Promise<ReleaseStepResult | undefined> {
  const repositoryName = target.repositoryName;
  if (!job.executionId) return { outcome: 'failed', message: 'the job names no pipeline execution to tag the image with: the stack was not changed' };
  const tag = releaseTag(job.executionId);
  const imageId: ImageIdentifier = job.version.startsWith('@') ? { imageDigest: job.version.slice(1) } : { imageTag: job.version.slice(1) };
  const where = `image ${job.version} in repository ${repositoryName}`;
  const nothingChanged = `the stack was not changed, the service still runs its current version`;
  try {
    const described = await clients.ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [imageId] }));
    const imageDigest = described.imageDetails?.[0]?.imageDigest;
    if (!imageDigest) return { outcome: 'failed', message: `${where} not found: ${nothingChanged}` };
    const got = await clients.ecr.send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageDigest }], acceptedMediaTypes: MANIFEST_TYPES }));
    const image = got.images?.[0];
    if (!image?.imageManifest) {
      const failure = got.failures?.[0];
      return { outcome: 'failed', message: `${where}: ECR gave no manifest (${failure?.failureCode ?? 'no failure code'}: ${failure?.failureReason ?? 'no reason'}): ${nothingChanged}` };
    }
    await clients.ecr
      .send(new PutImageCommand({ repositoryName, imageManifest: image.imageManifest, imageManifestMediaType: image.imageManifestMediaType, imageDigest, imageTag: tag }))
      .catch((error: unknown) => {
        if (errorName(error) !== 'ImageAlreadyExistsException') throw error;
      });
    return undefined;
  } catch (error) {
    const name = errorName(error);
    const message = (error as Error).message ?? String(error);
    if (name === 'ImageNotFoundException' || name === 'RepositoryNotFoundException') return { outcome: 'failed', message: `${where} not found (${name}: ${message}): ${nothingChanged}` };
    return { outcome: 'failed', message: `could not tag ${where} ${tag} (${name}: ${message}): ${nothingChanged}` };
  }
}

async function pollUpdate(clients: ReleaseClients, target: ReleaseTarget, job: ReleaseJob, progress: { since: string }): Promise<ReleaseStepResult> {
  const stack = await describeStack(clients, target.stackName);
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (status === 'UPDATE_COMPLETE') {
    return job.kind === 'deploy' ? { outcome: 'succeeded', message: `${target.stackName} runs ${job.version}` } : runMigration(clients, target);
  }
  if (status.includes('ROLLBACK') || status.endsWith('_FAILED')) {
    if (status.endsWith('_IN_PROGRESS')) return { outcome: 'continue', progress: { phase: 'updating', since: progress.since }, message: `rolling back (${status})` };
    return { outcome: 'failed', message: `the stack update failed and CloudFormation rolled it back (${status}): ${stack.StackStatusReason ?? 'see the stack events'}` };
  }
  if (minutesSince(progress.since, clients.now()) > target.updateTimeoutMinutes) {
    await clients.cloudformation.send(new CancelUpdateStackCommand({ StackName: target.stackName }));
    return { outcome: 'failed', message: `the stack update took over ${target.updateTimeoutMinutes} minutes: cancelled, CloudFormation rolls it back` };
  }
  return { outcome: 'continue', progress: { phase: 'updating', since: progress.since }, message: status };
}

async function runMigration(clients: ReleaseClients, target: ReleaseTarget): Promise<ReleaseStepResult> {
  const migration = target.migration as NonNullable<ReleaseTarget['migration']>;
  const resource = await clients.cloudformation.send(
    new DescribeStackResourceCommand({ StackName: target.stackName, LogicalResourceId: migration.taskDefinitionLogicalId }),
  );
  const taskDefinition = resource.StackResourceDetail?.PhysicalResourceId;
  if (!taskDefinition) return { outcome: 'failed', message: `stack ${target.stackName} has no resource ${migration.taskDefinitionLogicalId}` };
  const started = await startMigrationTask(clients.ecs, { cluster: migration.cluster, taskDefinition, subnets: migration.subnets, securityGroups: migration.securityGroups, startedBy: 'shipshape-release' });
  if ('failure' in started) return { outcome: 'failed', message: `the migration task did not start: ${started.failure || 'no reason given'}` };
  const { taskArn } = started;
  return { outcome: 'continue', progress: { phase: 'migrating', taskArn, since: clients.now().toISOString() }, message: `migration running: ${taskArn}` };
}

async function pollMigration(clients: ReleaseClients, target: ReleaseTarget, progress: { taskArn: string; since: string }): Promise<ReleaseStepResult> {
  const migration = target.migration as NonNullable<ReleaseTarget['migration']>;
  const task = (await clients.ecs.send(new DescribeTasksCommand({ cluster: migration.cluster, tasks: [progress.taskArn] }))).tasks?.[0];
  if (task?.lastStatus === 'STOPPED') {
    const container = task.containers?.find((c) => c.name === migration.containerName);
    if (container?.exitCode === 0) return { outcome: 'succeeded', message: 'migration succeeded (exit code 0)' };
    const why = container?.exitCode === undefined ? (task.stoppedReason ?? container?.reason ?? 'stopped before the command ran') : `exit code ${container.exitCode}`;
    return { outcome: 'failed', message: `migration failed: ${why}; the release stops here, production still runs the previous version` };
  }
  if (minutesSince(progress.since, clients.now()) > migration.timeoutMinutes) {
    await clients.ecs.send(new StopTaskCommand({ cluster: migration.cluster, task: progress.taskArn, reason: 'shipshape release: migration timed out' }));
    return { outcome: 'failed', message: `migration ran over ${migration.timeoutMinutes} minutes: stopped; the release stops here` };
  }
  return { outcome: 'continue', progress: { ...progress, phase: 'migrating' }, message: `migration ${task?.lastStatus ?? 'PENDING'}` };
}
