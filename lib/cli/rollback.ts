import { GetPipelineExecutionCommand, paginateListPipelineExecutions, type PipelineExecutionSummary, RollbackStageCommand } from '@aws-sdk/client-codepipeline';
import { DescribeServiceDeploymentsCommand, ListServiceDeploymentsCommand, type ServiceDeploymentBrief, type ServiceDeploymentStatus, StopServiceDeploymentCommand } from '@aws-sdk/client-ecs';
import { SERVICE_OUTPUTS } from '../stacks/outputs';
import { type CliContext, CliError } from './cli-context';
import { type CliCommand, JSON_OPTION, SERVICE_OPTION, stackOption } from './command';
import { manualRollback } from './manual-release';
import { describeStack, requireOutput } from './stack-outputs';

export interface RollbackOptions {
  readonly stack: string;
  /** An ECS service ARN, instead of the stack's. */
  readonly service?: string;
  readonly yes: boolean;
  readonly json: boolean;
  /** @default - 10 s while following a stopped deployment, 15 s while following a pipeline rollback */
  readonly pollMs?: number;
  /**
   * How long to follow the rollback before giving up with an error; the rollback itself carries on.
   * @default - 20 minutes for a stopped deployment, 30 minutes for a pipeline rollback
   */
  readonly timeoutMs?: number;
}

/** The stateless stack's parameter holding the image version of an ECR image (`StatelessStack`). */
export const IMAGE_VERSION_PARAMETER = 'ImageVersion';
/** The stage the pipeline deploys in; rolling it back redeploys an earlier release through CloudFormation. */
export const DEPLOY_STAGE = 'Deploy';
const ACTIVE: ServiceDeploymentStatus[] = ['PENDING', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED'];
/** Pipeline history read to find the release running and the one before it: pages of 100, newest first. */
const HISTORY_PAGES = 5;

export interface ServiceRef {
  readonly stack: string;
  readonly serviceArn: string;
  readonly cluster: string;
  readonly pipelineName?: string;
  /** The stack's `ImageVersion` parameter (an ECR image), when it has one. */
  readonly imageVersion?: string;
  /** The kit's image repository releases come from (the `ImageRepositoryUri` output), when the stack has one. */
  readonly imageRepositoryUri?: string;
}

/** The service (and pipeline) a command acts on: `--service`, or the stack's outputs. */
export async function resolveService(ctx: CliContext, stack: string, service?: string): Promise<ServiceRef> {
  const { outputs, parameters } = await describeStack(ctx, stack);
  const serviceArn = service ?? requireOutput(outputs, SERVICE_OUTPUTS.service, stack, 'service');
  const match = /^arn:aws[a-z-]*:ecs:[^:]+:\d{12}:service\/([^/]+)\/[^/]+$/.exec(serviceArn);
  if (!match) throw new CliError(`--service: an ECS service ARN (arn:aws:ecs:<region>:<account>:service/<cluster>/<name>) (got ${serviceArn})`, 2);
  return { stack, serviceArn, cluster: match[1], pipelineName: outputs[SERVICE_OUTPUTS.pipeline], imageVersion: parameters[IMAGE_VERSION_PARAMETER], imageRepositoryUri: outputs[SERVICE_OUTPUTS.imageRepository] };
}

/**
 * `shipshape rollback`: a deployment in progress (or baking) is stopped with rollback, a weight
 * flip back to the old revision; otherwise the pipeline's deploy stage is rolled back to the
 * successful release before the one it runs, which updates the stack through CloudFormation like
 * any release, so the template keeps describing what runs. Either way it follows until the end, or
 * gives up after `timeoutMs` (the rollback carries on: the CLI only follows).
 */
export async function rollback(ctx: CliContext, options: RollbackOptions): Promise<void> {
  const ref = await resolveService(ctx, options.stack, options.service);
  const active = (await ctx.ecs.send(new ListServiceDeploymentsCommand({ service: ref.serviceArn, cluster: ref.cluster, status: ACTIVE, maxResults: 1 }))).serviceDeployments?.[0];
  if (active) return stopDeployment(ctx, options, active);
  return rollBackPipeline(ctx, options, ref);
}

function confirm(ctx: CliContext, options: RollbackOptions, plan: string): void {
  ctx.out(options.json ? JSON.stringify({ plan }) : plan);
  if (!options.yes) throw new CliError('Nothing changed: run again with --yes to do this.', 2);
}

async function stopDeployment(ctx: CliContext, options: RollbackOptions, deployment: ServiceDeploymentBrief): Promise<void> {
  const arn = deployment.serviceDeploymentArn as string;
  if (deployment.status?.startsWith('ROLLBACK') || deployment.status === 'STOP_REQUESTED') {
    throw new CliError(`A rollback is already running (deployment ${arn}, ${deployment.status}): follow it with \`shipshape status\`.`);
  }
  confirm(ctx, options, `Deployment ${arn} (${deployment.status}) of revision ${deployment.targetServiceRevisionArn ?? '?'} will be stopped and traffic moved back to the previous revision.`);
  await ctx.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }));
  const timeoutMs = options.timeoutMs ?? 20 * 60_000;
  const started = ctx.now().getTime();
  for (;;) {
    await ctx.sleep(options.pollMs ?? 10_000);
    const described = await ctx.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
    const current = described.serviceDeployments?.[0];
    if (!current) throw new CliError(`ECS no longer describes deployment ${arn} (${described.failures?.[0]?.reason ?? 'not found'}): see what runs with \`shipshape status\`.`);
    const status = current.status ?? 'UNKNOWN';
    const elapsedMs = ctx.now().getTime() - started;
    ctx.out(options.json ? JSON.stringify({ deployment: arn, status }) : `[${Math.round(elapsedMs / 1000)} s] ${status}`);
    // Completed: SUCCESSFUL, STOPPED, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html).
    if (status === 'ROLLBACK_SUCCESSFUL') return;
    const reason = current.statusReason ?? 'see the ECS service events';
    if (status === 'ROLLBACK_FAILED') throw new CliError(`The rollback failed: ${reason}`);
    if (status === 'SUCCESSFUL') {
      throw new CliError(
        `Deployment ${arn} finished (SUCCESSFUL) before the stop took effect: revision ${current.targetServiceRevision?.arn ?? deployment.targetServiceRevisionArn ?? '?'} is live. ` +
          'Once its release has finished (`shipshape status`), run `shipshape rollback` again to roll back through the pipeline.',
      );
    }
    if (status === 'STOPPED') throw new CliError(`Deployment ${arn} was stopped without rolling back (${reason}): see what runs with \`shipshape status\`.`);
    if (elapsedMs >= timeoutMs) {
      throw new CliError(
        `Stopped following after ${duration(timeoutMs)}: deployment ${arn} is still ${status} and ECS carries on without this command. Follow it with \`shipshape status\`.`,
      );
    }
  }
}

async function rollBackPipeline(ctx: CliContext, options: RollbackOptions, ref: ServiceRef): Promise<void> {
  const pipelineName = ref.pipelineName;
  if (!pipelineName) throw new CliError(await manualRollback(ctx, ref));
  const { running, target } = await findTarget(ctx, pipelineName);
  confirm(ctx, options, `The service runs release ${describeRunning(running)}; the ${DEPLOY_STAGE} stage will redeploy release ${describe(target)} through CloudFormation.`);
  const { pipelineExecutionId } = await ctx.codepipeline
    .send(new RollbackStageCommand({ pipelineName, stageName: DEPLOY_STAGE, targetPipelineExecutionId: target.pipelineExecutionId }))
    .catch((error: unknown) => {
      // A stage only goes back to an execution of the current pipeline structure version (stage-rollback.html above).
      if ((error as { name?: string }).name !== 'PipelineExecutionOutdatedException') throw error;
      throw new CliError(`Release ${describe(target)} ran on an earlier version of pipeline ${pipelineName}, so CodePipeline cannot roll back to it: release its image through the pipeline instead.`);
    });
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const started = ctx.now().getTime();
  for (;;) {
    await ctx.sleep(options.pollMs ?? 15_000);
    const execution = (await ctx.codepipeline.send(new GetPipelineExecutionCommand({ pipelineName, pipelineExecutionId }))).pipelineExecution;
    const status = execution?.status ?? 'Unknown';
    const elapsedMs = ctx.now().getTime() - started;
    ctx.out(options.json ? JSON.stringify({ pipelineExecutionId, status }) : `[${Math.round(elapsedMs / 1000)} s] ${status}`);
    if (status === 'Succeeded') return;
    if (['Failed', 'Stopped', 'Superseded', 'Cancelled'].includes(status)) {
      throw new CliError(`The rollback to release ${target.pipelineExecutionId} ${status.toLowerCase()}: ${execution?.statusSummary ?? 'see the pipeline'}`);
    }
    if (elapsedMs >= timeoutMs) {
      throw new CliError(
        `Stopped following after ${duration(timeoutMs)}: pipeline execution ${pipelineExecutionId} (rolling the ${DEPLOY_STAGE} stage back to release ${target.pipelineExecutionId}) ` +
          `is still ${status} and carries on without this command. Follow it with \`shipshape status\`; run rollback again only once it has ended.`,
      );
    }
  }
}

/**
 * What the Deploy stage runs: the newest execution that succeeded, a release or a rollback. A stage rollback is a new
 * execution that takes the source revisions and variables of its target, and cannot itself be a target
 * (https://docs.aws.amazon.com/codepipeline/latest/userguide/stage-rollback.html); it is listed with executionType
 * ROLLBACK, trigger ManualRollback (or AutomatedRollback) and the release it runs in
 * rollbackMetadata.rollbackTargetPipelineExecutionId
 * (https://docs.aws.amazon.com/codepipeline/latest/userguide/stage-rollback-view-details.html,
 * https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineExecutionSummary.html).
 */
interface Running {
  /** The newest succeeded execution. */
  readonly execution: PipelineExecutionSummary;
  /** The release it runs: itself, or the target of the rollback it is. */
  readonly releaseId: string;
  /** That release's own execution, once the history read reaches it. */
  readonly release?: PipelineExecutionSummary;
}

/**
 * Reads the pipeline's history (newest first, at most HISTORY_PAGES pages) until it finds the release the Deploy stage
 * runs and the release to roll back to: the newest successful normal release older than it, with another image where
 * both are known. A rollback execution is never a target (CodePipeline refuses one), and a rollback running refuses.
 */
async function findTarget(ctx: CliContext, pipelineName: string): Promise<{ running: Running; target: PipelineExecutionSummary }> {
  const executions: PipelineExecutionSummary[] = [];
  let pages = 0;
  let more = false;
  for await (const page of paginateListPipelineExecutions({ client: ctx.codepipeline, pageSize: 100 }, { pipelineName })) {
    executions.push(...(page.pipelineExecutionSummaries ?? []));
    pages += 1;
    more = page.nextToken !== undefined;
    const inFlight = executions.find((e) => isRollback(e) && (e.status === 'InProgress' || e.status === 'Stopping'));
    if (inFlight) throw new CliError(`A rollback is already running (pipeline execution ${inFlight.pipelineExecutionId}): follow it with \`shipshape status\`.`);
    const found = chooseTarget(executions);
    if (found.running && found.target) return { running: found.running, target: found.target };
    if (pages >= HISTORY_PAGES) break;
  }
  const { running } = chooseTarget(executions);
  const where = more ? ` in its last ${executions.length} executions` : '';
  if (!running) throw new CliError(`No successful release of ${pipelineName}${where}: there is no release to roll back to${more ? ' (look further back in the CodePipeline console)' : ''}.`);
  if (!running.release) {
    throw new CliError(`The service runs release ${describeRunning(running)}, older than the ${executions.length} executions of ${pipelineName} read: roll back from the CodePipeline console.`);
  }
  throw new CliError(`No earlier release to roll back to: the service runs release ${describeRunning(running)}, and no successful release before it with another image is listed${where}.`);
}

function chooseTarget(executions: PipelineExecutionSummary[]): { running?: Running; target?: PipelineExecutionSummary } {
  const latest = executions.find((e) => e.status === 'Succeeded');
  if (!latest) return {};
  const releaseId = isRollback(latest) ? latest.rollbackMetadata?.rollbackTargetPipelineExecutionId : latest.pipelineExecutionId;
  if (!releaseId) throw new CliError(`Rollback execution ${latest.pipelineExecutionId} names no release it rolled back to: see it in the CodePipeline console.`);
  const index = executions.findIndex((e) => e.pipelineExecutionId === releaseId);
  const running: Running = { execution: latest, releaseId, release: executions[index] };
  if (index < 0) return { running };
  const image = revisionsOf(executions[index]) ?? revisionsOf(latest);
  const target = executions
    .slice(index + 1)
    .find((e) => e.status === 'Succeeded' && !isRollback(e) && e.pipelineExecutionId !== releaseId && (image === undefined || revisionsOf(e) !== image));
  return { running, target };
}

function isRollback(e: PipelineExecutionSummary): boolean {
  return (
    e.executionType === 'ROLLBACK' ||
    e.rollbackMetadata?.rollbackTargetPipelineExecutionId !== undefined ||
    e.trigger?.triggerType === 'ManualRollback' ||
    e.trigger?.triggerType === 'AutomatedRollback'
  );
}

/** The source revisions an execution released (for an ECR source, the image digest), comparable between executions. */
function revisionsOf(e: PipelineExecutionSummary): string | undefined {
  const revisions = (e.sourceRevisions ?? []).filter((r) => r.revisionId).map((r) => `${r.actionName}=${r.revisionId}`);
  return revisions.length > 0 ? revisions.sort().join(',') : undefined;
}

function describeRunning(r: Running): string {
  const release = r.release ? describe(r.release) : r.releaseId;
  return r.execution.pipelineExecutionId === r.releaseId ? release : `${release} (rolled back to by ${r.execution.pipelineExecutionId})`;
}

function duration(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

/** An execution as an operator knows it: its id and the source revision it released. */
export function describe(e: PipelineExecutionSummary): string {
  const revision = e.sourceRevisions?.[0]?.revisionId;
  return `${e.pipelineExecutionId}${revision ? ` (${revision.slice(0, 19)})` : ''}`;
}

export const rollbackCommand: CliCommand = {
  name: 'rollback',
  summary: 'stop a deployment with rollback, or redeploy the previous release',
  description: [
    'Rolls the service back, after showing what it will do (nothing changes without --yes):',
    '- a deployment in progress or baking is stopped with rollback (ECS StopServiceDeployment): traffic flips back to',
    '  the previous revision, no task is relaunched;',
    '- otherwise the release pipeline\'s Deploy stage is rolled back to the previous successful release with another',
    '  image: a CloudFormation update through blue/green, like any release.',
    'Without a pipeline and with nothing in progress, it changes nothing and prints the command that deploys the',
    'previous image by hand (`npx cdk deploy --exclusively <stack> --parameters ImageVersion=@sha256:<digest>`, or, for an',
    'image given by URI, service.image.uri in the configuration and `npx cdk deploy --exclusively <stack>`); see docs/manual-release.md.',
    'It follows the rollback until it ends (20 min for a stop, 30 min for a pipeline rollback), then stops following.',
  ].join('\n'),
  options: { stack: stackOption('stateless'), service: SERVICE_OPTION, yes: { type: 'boolean', description: 'do it (without it, only show what would happen)' }, json: JSON_OPTION },
  examples: ['shipshape rollback            # shows what it would do', 'shipshape rollback --yes      # does it and follows until traffic is back'],
  exitCodes: {
    0: 'the rollback finished: traffic is on the previous release',
    1: 'nothing to roll back to (with no pipeline: the manual command is printed), a rollback already running, or the rollback failed or outlasted the follow time',
    2: 'nothing changed because --yes was not given, bad usage, or no AWS credentials/region',
  },
  run: async (values, io) => {
    await rollback(io.ctx, {
      stack: (values.stack as string | undefined) ?? io.defaultStack('stateless'),
      service: values.service as string | undefined,
      yes: values.yes === true,
      json: values.json === true,
    });
  },
};
