import { ListPipelineExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { DescribeServiceRevisionsCommand, ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs';
import type { CliContext } from './cli-context';
import { type CliCommand, JSON_OPTION, LAST_OPTION, lastOf, SERVICE_OPTION, stackOption } from './command';
import { describe, resolveService } from './rollback';

export interface StatusOptions {
  readonly stack: string;
  readonly service?: string;
  readonly last: number;
  readonly json: boolean;
}

/** `shipshape status`: the current and previous revisions, and the last deployments and releases. */
export async function status(ctx: CliContext, options: StatusOptions): Promise<void> {
  const ref = await resolveService(ctx, options.stack, options.service);
  const deployments = (await ctx.ecs.send(new ListServiceDeploymentsCommand({ service: ref.serviceArn, cluster: ref.cluster, maxResults: options.last }))).serviceDeployments ?? [];
  const releases = ref.pipelineName
    ? ((await ctx.codepipeline.send(new ListPipelineExecutionsCommand({ pipelineName: ref.pipelineName, maxResults: options.last }))).pipelineExecutionSummaries ?? [])
    : [];
  const completed = deployments.filter((d) => d.status === 'SUCCESSFUL');
  const current = completed[0]?.targetServiceRevisionArn;
  const previous = completed[1]?.targetServiceRevisionArn;
  const images = await imagesOf(ctx, [current, previous].filter((arn): arn is string => arn !== undefined));
  if (options.json) {
    ctx.out(JSON.stringify({ service: ref.serviceArn, currentRevision: current, previousRevision: previous, images, deployments, releases }, null, 2));
    return;
  }
  const show = (arn?: string) => (arn ? `${arn}${images[arn] ? `  ${images[arn]}` : ''}` : undefined);
  ctx.out(`Service   ${ref.serviceArn}`);
  ctx.out(`Current   ${show(current) ?? 'unknown (no completed deployment listed)'}`);
  ctx.out(`Previous  ${show(previous) ?? 'none'}`);
  ctx.out('Deployments (newest first):');
  for (const d of deployments) ctx.out(`  ${d.startedAt?.toISOString() ?? '?'}  ${String(d.status).padEnd(20)} ${d.targetServiceRevisionArn ?? ''}${d.statusReason ? `  ${d.statusReason}` : ''}`);
  if (ref.pipelineName) {
    ctx.out(`Releases of ${ref.pipelineName} (newest first):`);
    for (const e of releases) ctx.out(`  ${e.startTime?.toISOString() ?? '?'}  ${String(e.status).padEnd(11)} ${describe(e)}${e.rollbackMetadata?.rollbackTargetPipelineExecutionId ? '  (rollback)' : ''}`);
  }
}

/** The image each revision runs (by digest when ECS resolved one), by revision ARN. */
async function imagesOf(ctx: CliContext, revisionArns: string[]): Promise<Record<string, string>> {
  if (revisionArns.length === 0) return {};
  const revisions = (await ctx.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: revisionArns }))).serviceRevisions ?? [];
  return Object.fromEntries(
    revisions
      .filter((r) => r.serviceRevisionArn)
      .map((r) => [r.serviceRevisionArn as string, (r.containerImages ?? []).map((i) => `${i.containerName}=${i.image ?? '?'}${i.imageDigest ? `@${i.imageDigest.slice(0, 19)}` : ''}`).join(', ')]),
  );
}

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'current and previous revisions, last deployments and releases',
  description: 'Shows the revision the service runs and the one before it (with their images), the last ECS deployments and, with a\nrelease pipeline, the last releases and rollbacks. Read-only.',
  options: { stack: stackOption('stateless'), service: SERVICE_OPTION, last: LAST_OPTION, json: JSON_OPTION },
  examples: ['shipshape status --last 10'],
  exitCodes: { 0: 'shown', 1: 'the stack or service cannot be read (missing stack, AccessDenied)', 2: 'bad usage (e.g. a bad --last or --service), or no AWS credentials/region' },
  run: async (values, io) => {
    await status(io.ctx, {
      stack: (values.stack as string | undefined) ?? io.defaultStack('stateless'),
      service: values.service as string | undefined,
      last: lastOf(values),
      json: values.json === true,
    });
  },
};
