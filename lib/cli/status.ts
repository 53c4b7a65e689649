import { GetPipelineExecutionCommand, ListPipelineExecutionsCommand, type PipelineExecution, type PipelineExecutionSummary } from '@aws-sdk/client-codepipeline';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { type ContainerImage, DescribeServiceRevisionsCommand, ListServiceDeploymentsCommand, type ServiceDeploymentBrief } from '@aws-sdk/client-ecs';
import { executionIdOfTag } from '../../constructs/pipeline/runtime/release-tags';
import type { CliContext } from './cli-context';
import { type CliCommand, JSON_OPTION, LAST_OPTION, lastOf, SERVICE_OPTION, stackOption } from './command';
import { describe, resolveService, type ServiceRef } from './rollback';

export interface StatusOptions {
  readonly stack: string;
  readonly service?: string;
  readonly last: number;
  readonly json: boolean;
}

/** The stack's `ImageVersion` before the first release: the service runs the image `cdk deploy` built. */
export const INITIAL_IMAGE_VERSION = 'initial';
const IN_FLIGHT = new Set(['PENDING', 'IN_PROGRESS']);

/** The pipeline execution that deployed a revision, as `status` shows it. */
export interface ReleaseOfRevision {
  readonly executionId: string;
  readonly status?: string;
  readonly startTime?: string;
  /** How the execution started: `CloudWatchEvent` (a push), `StartPipelineExecution`, `ManualRollback`… */
  readonly triggerType?: string;
  /** Who or what started it: the EventBridge rule, the IAM principal. */
  readonly triggerDetail?: string;
  /** For a rollback execution: the release it redeployed. */
  readonly rollbackOf?: string;
}

/** One revision of the service with its image and the release that deployed it. */
export interface RevisionRelease {
  readonly revisionArn: string;
  readonly image?: string;
  readonly digest?: string;
  /** The image is not in the kit's repository: the initial image `cdk deploy` built (no release deployed it). */
  readonly initial: boolean;
  readonly release?: ReleaseOfRevision;
}

/** `shipshape status`: the current and previous revisions with the releases that deployed them, the last deployments and releases. */
export async function status(ctx: CliContext, options: StatusOptions): Promise<void> {
  const ref = await resolveService(ctx, options.stack, options.service);
  const deployments = (await ctx.ecs.send(new ListServiceDeploymentsCommand({ service: ref.serviceArn, cluster: ref.cluster, maxResults: options.last }))).serviceDeployments ?? [];
  const releases = ref.pipelineName
    ? ((await ctx.codepipeline.send(new ListPipelineExecutionsCommand({ pipelineName: ref.pipelineName, maxResults: options.last }))).pipelineExecutionSummaries ?? [])
    : [];
  const completed = deployments.filter((d) => d.status === 'SUCCESSFUL');
  const current = completed[0]?.targetServiceRevisionArn;
  const previous = completed[1]?.targetServiceRevisionArn;
  const inProgress = deployments.find((d: ServiceDeploymentBrief) => IN_FLIGHT.has(String(d.status)))?.targetServiceRevisionArn;
  const arns = [current, previous, inProgress].filter((arn): arn is string => arn !== undefined);
  const images = await imagesOf(ctx, arns);
  const mapping = await releasesOf(ctx, ref, images, releases, inProgress);
  const revision = (arn?: string) => (arn ? mapping.get(arn) : undefined);
  if (options.json) {
    const imageTexts = Object.fromEntries([...images].map(([arn, list]) => [arn, list.map(imageText).join(', ')]));
    ctx.out(
      JSON.stringify(
        {
          service: ref.serviceArn,
          imageRepository: ref.imageRepositoryUri,
          imageVersion: ref.imageVersion,
          currentRevision: current,
          previousRevision: previous,
          inProgressRevision: inProgress,
          images: imageTexts,
          revisions: { current: revision(current), previous: revision(previous), inProgress: revision(inProgress) },
          deployments,
          releases,
        },
        null,
        2,
      ),
    );
    return;
  }
  const show = (arn?: string) => (arn ? `${arn}${images.get(arn)?.length ? `  ${images.get(arn)?.map(imageText).join(', ')}` : ''}` : undefined);
  const releaseLine = (arn?: string) => {
    const r = revision(arn);
    if (!arn || !r) return;
    const line = releaseText(ref, r);
    if (line) ctx.out(`          ${line}`);
  };
  ctx.out(`Service   ${ref.serviceArn}`);
  if (ref.imageRepositoryUri) ctx.out(`Images    ${ref.imageRepositoryUri}`);
  ctx.out(`Current   ${show(current) ?? 'unknown (no completed deployment listed)'}`);
  releaseLine(current);
  ctx.out(`Previous  ${show(previous) ?? 'none'}`);
  releaseLine(previous);
  if (inProgress) {
    ctx.out(`Deploying ${show(inProgress)}`);
    releaseLine(inProgress);
  }
  ctx.out('Deployments (newest first):');
  for (const d of deployments) ctx.out(`  ${d.startedAt?.toISOString() ?? '?'}  ${String(d.status).padEnd(20)} ${d.targetServiceRevisionArn ?? ''}${d.statusReason ? `  ${d.statusReason}` : ''}`);
  if (ref.pipelineName) {
    ctx.out(`Releases of ${ref.pipelineName} (newest first):`);
    for (const e of releases) ctx.out(`  ${e.startTime?.toISOString() ?? '?'}  ${String(e.status).padEnd(11)} ${describe(e)}${e.rollbackMetadata?.rollbackTargetPipelineExecutionId ? '  (rollback)' : ''}`);
  }
}

/** `app=<image>`, with the start of the digest ECS resolved when the image names a tag. */
const imageText = (i: ContainerImage) => `${i.containerName}=${i.image ?? '?'}${i.imageDigest && !i.image?.includes('@') ? `@${i.imageDigest.slice(0, 19)}` : ''}`;

/** The images each revision runs (with the digest ECS resolved), by revision ARN. */
async function imagesOf(ctx: CliContext, revisionArns: string[]): Promise<Map<string, ContainerImage[]>> {
  if (revisionArns.length === 0) return new Map();
  const revisions = (await ctx.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [...new Set(revisionArns)] }))).serviceRevisions ?? [];
  return new Map(revisions.filter((r) => r.serviceRevisionArn).map((r) => [r.serviceRevisionArn as string, r.containerImages ?? []]));
}

/** What started an execution, in words: a push, StartPipelineExecution by a principal, a rollback. */
export function triggerText(r: ReleaseOfRevision): string {
  const by = r.triggerDetail ? ` by ${r.triggerDetail}` : '';
  switch (r.triggerType) {
    case 'CloudWatchEvent':
      return `a push to the watched tag${r.triggerDetail ? ` (${r.triggerDetail})` : ''}`;
    case 'StartPipelineExecution':
      return `StartPipelineExecution${by} (shipshape release, or Release change)`;
    case 'ManualRollback':
    case 'AutomatedRollback':
      return `a ${r.triggerType === 'ManualRollback' ? 'manual' : 'automated'} rollback${r.rollbackOf ? ` to release ${r.rollbackOf}` : ''}${by}`;
    default:
      return `${r.triggerType ?? 'an unknown trigger'}${by}`;
  }
}

function releaseText(ref: ServiceRef, r: RevisionRelease): string | undefined {
  if (r.release) {
    const e = r.release;
    return `release ${e.executionId} (${e.status ?? '?'}${e.startTime ? `, started ${e.startTime}` : ''}), started by ${triggerText(e)}`;
  }
  if (r.initial) {
    const push = ref.imageRepositoryUri ? `push to ${ref.imageRepositoryUri}:latest to release` : 'push an image to the repository to release';
    return ref.imageVersion === INITIAL_IMAGE_VERSION ? `initial image (built by cdk deploy), no release yet — ${push}` : 'initial image (built by cdk deploy), before the first release';
  }
  return r.digest && ref.imageRepositoryUri && ref.pipelineName ? `no release tag on ${r.digest.slice(0, 19)} (deployed without the pipeline, or by a release before release tags)` : undefined;
}

/**
 * Maps each revision to the release that deployed it: its image's digest (the kit repository's image), the
 * `release-<execution id>` tags the release step put on it (runtime/release-tags.ts), and those executions, plus the
 * rollback executions that redeployed them; the newest succeeded one (for a revision deploying now, the one in progress).
 */
async function releasesOf(ctx: CliContext, ref: ServiceRef, images: Map<string, ContainerImage[]>, summaries: PipelineExecutionSummary[], inProgress?: string): Promise<Map<string, RevisionRelease>> {
  const uri = ref.imageRepositoryUri;
  const repositoryName = uri?.split('/').slice(1).join('/');
  const result = new Map<string, RevisionRelease>();
  const executions = new Map<string, PipelineExecution | undefined>();
  const execution = async (id: string) => {
    if (!executions.has(id) && ref.pipelineName) {
      const got = await ctx.codepipeline.send(new GetPipelineExecutionCommand({ pipelineName: ref.pipelineName, pipelineExecutionId: id })).catch((error: unknown) => {
        if ((error as { name?: string }).name !== 'PipelineExecutionNotFoundException') throw error;
        return undefined;
      });
      executions.set(id, got?.pipelineExecution);
    }
    return executions.get(id);
  };
  for (const [arn, list] of images) {
    const image = (uri ? list.find((i) => i.image?.startsWith(uri)) : undefined) ?? list.find((i) => i.imageDigest) ?? list[0];
    const initial = uri !== undefined && list.length > 0 && !list.some((i) => i.image?.startsWith(uri));
    const digest = image?.imageDigest;
    let release: ReleaseOfRevision | undefined;
    if (!initial && digest && repositoryName && ref.pipelineName) {
      const described = await ctx.ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageDigest: digest }] })).catch((error: unknown) => {
        if ((error as { name?: string }).name !== 'ImageNotFoundException') throw error;
        return undefined;
      });
      const tagged = (described?.imageDetails?.[0]?.imageTags ?? []).map(executionIdOfTag).filter((id): id is string => id !== undefined);
      const rollbacks = summaries.filter((s) => s.rollbackMetadata?.rollbackTargetPipelineExecutionId && tagged.includes(s.rollbackMetadata.rollbackTargetPipelineExecutionId));
      const order = (id: string) => {
        const index = summaries.findIndex((s) => s.pipelineExecutionId === id);
        return index < 0 ? summaries.length : index;
      };
      const candidates = [...new Set([...rollbacks.map((s) => s.pipelineExecutionId as string), ...tagged])].sort((a, b) => order(a) - order(b));
      const wanted = arn === inProgress ? 'InProgress' : 'Succeeded';
      let chosen: { id: string; e?: PipelineExecution } | undefined;
      for (const id of candidates) {
        const e = await execution(id);
        if (e?.status === wanted) {
          chosen = { id, e };
          break;
        }
        chosen ??= { id, e };
      }
      if (chosen) {
        const summary = summaries.find((s) => s.pipelineExecutionId === chosen.id);
        release = {
          executionId: chosen.id,
          status: chosen.e?.status ?? summary?.status,
          startTime: summary?.startTime?.toISOString(),
          triggerType: chosen.e?.trigger?.triggerType ?? summary?.trigger?.triggerType,
          triggerDetail: chosen.e?.trigger?.triggerDetail ?? summary?.trigger?.triggerDetail,
          rollbackOf: chosen.e?.rollbackMetadata?.rollbackTargetPipelineExecutionId ?? summary?.rollbackMetadata?.rollbackTargetPipelineExecutionId,
        };
      }
    }
    result.set(arn, { revisionArn: arn, image: image?.image, digest, initial, release });
  }
  return result;
}

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'current and previous revisions and the releases that deployed them, last deployments and releases',
  description: [
    'Shows the revision the service runs, the one before it and any being deployed, each with its image and the release',
    'that deployed it (the pipeline execution named by the image\'s release-<execution id> tag: its status, start time and',
    'what started it: a push, StartPipelineExecution by whom, a rollback); before the first release, that the service runs',
    'the initial image cdk deploy built and where to push. Then the last ECS deployments and releases. Read-only.',
  ].join('\n'),
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
