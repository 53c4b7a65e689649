import { GetPipelineExecutionCommand, ListPipelineExecutionsCommand, type PipelineExecutionSummary, RollbackStageCommand } from '@aws-sdk/client-codepipeline';
import { DescribeServiceDeploymentsCommand, ListServiceDeploymentsCommand, type ServiceDeploymentBrief, type ServiceDeploymentStatus, StopServiceDeploymentCommand } from '@aws-sdk/client-ecs';
import { SERVICE_OUTPUTS } from '../stacks/outputs';
import { type CliContext, CliError } from './cli-context';
import { requireOutput, stackOutputs } from './stack-outputs';

export interface RollbackOptions {
  readonly stack: string;
  /** An ECS service ARN, instead of the stack's. */
  readonly service?: string;
  readonly yes: boolean;
  readonly json: boolean;
  readonly pollMs?: number;
}

/** The stage the pipeline deploys in; rolling it back redeploys an earlier release through CloudFormation. */
export const DEPLOY_STAGE = 'Deploy';
const ACTIVE: ServiceDeploymentStatus[] = ['PENDING', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED'];

export interface ServiceRef {
  readonly serviceArn: string;
  readonly cluster: string;
  readonly pipelineName?: string;
}

/** The service (and pipeline) a command acts on: `--service`, or the stack's outputs. */
export async function resolveService(ctx: CliContext, stack: string, service?: string): Promise<ServiceRef> {
  const outputs = await stackOutputs(ctx, stack);
  const serviceArn = service ?? requireOutput(outputs, SERVICE_OUTPUTS.service, stack, 'service');
  const match = /^arn:aws[a-z-]*:ecs:[^:]+:\d{12}:service\/([^/]+)\/[^/]+$/.exec(serviceArn);
  if (!match) throw new CliError(`--service: an ECS service ARN (arn:aws:ecs:<region>:<account>:service/<cluster>/<name>) (got ${serviceArn})`, 2);
  return { serviceArn, cluster: match[1], pipelineName: outputs[SERVICE_OUTPUTS.pipeline] };
}

/**
 * `shipshape rollback`: a deployment in progress (or baking) is stopped with rollback, a weight
 * flip back to the old revision; otherwise the pipeline's deploy stage is rolled back to the
 * previous successful release, which updates the stack through CloudFormation like any release,
 * so the template keeps describing what runs.
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
  const started = ctx.now().getTime();
  for (;;) {
    await ctx.sleep(options.pollMs ?? 10_000);
    const current = (await ctx.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments?.[0];
    const status = current?.status ?? 'UNKNOWN';
    ctx.out(options.json ? JSON.stringify({ deployment: arn, status }) : `[${Math.round((ctx.now().getTime() - started) / 1000)} s] ${status}`);
    if (status === 'ROLLBACK_SUCCESSFUL' || status === 'STOPPED') return;
    if (status === 'ROLLBACK_FAILED') throw new CliError(`The rollback failed: ${current?.statusReason ?? 'see the ECS service events'}`);
  }
}

async function rollBackPipeline(ctx: CliContext, options: RollbackOptions, ref: ServiceRef): Promise<void> {
  if (!ref.pipelineName) {
    throw new CliError('No deployment is in progress and this service has no release pipeline: there is no release to roll back to (deploy the previous image version instead).');
  }
  const executions = (await ctx.codepipeline.send(new ListPipelineExecutionsCommand({ pipelineName: ref.pipelineName, maxResults: 25 }))).pipelineExecutionSummaries ?? [];
  const running = executions.find((e) => e.status === 'InProgress' && e.rollbackMetadata?.rollbackTargetPipelineExecutionId);
  if (running) throw new CliError(`A rollback is already running (pipeline execution ${running.pipelineExecutionId}): follow it with \`shipshape status\`.`);
  const releases = executions.filter((e) => e.status === 'Succeeded' && !e.rollbackMetadata?.rollbackTargetPipelineExecutionId);
  const [current, previous] = releases;
  if (!current || !previous) throw new CliError('No previous successful release to roll back to.');
  confirm(ctx, options, `The service runs release ${describe(current)}; the ${DEPLOY_STAGE} stage will redeploy release ${describe(previous)} through CloudFormation.`);
  const { pipelineExecutionId } = await ctx.codepipeline.send(
    new RollbackStageCommand({ pipelineName: ref.pipelineName, stageName: DEPLOY_STAGE, targetPipelineExecutionId: previous.pipelineExecutionId }),
  );
  const started = ctx.now().getTime();
  for (;;) {
    await ctx.sleep(options.pollMs ?? 15_000);
    const execution = (await ctx.codepipeline.send(new GetPipelineExecutionCommand({ pipelineName: ref.pipelineName, pipelineExecutionId }))).pipelineExecution;
    const status = execution?.status ?? 'Unknown';
    ctx.out(options.json ? JSON.stringify({ pipelineExecutionId, status }) : `[${Math.round((ctx.now().getTime() - started) / 1000)} s] ${status}`);
    if (status === 'Succeeded') return;
    if (['Failed', 'Stopped', 'Superseded'].includes(status)) throw new CliError(`The rollback ${status.toLowerCase()}: ${execution?.statusSummary ?? 'see the pipeline'}`);
  }
}

/** An execution as an operator knows it: its id and the source revision it released. */
export function describe(e: PipelineExecutionSummary): string {
  const revision = e.sourceRevisions?.[0]?.revisionId;
  return `${e.pipelineExecutionId}${revision ? ` (${revision.slice(0, 19)})` : ''}`;
}
