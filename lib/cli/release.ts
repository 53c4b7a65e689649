import {
  type ActionExecutionDetail,
  type ActionDeclaration,
  GetPipelineCommand,
  GetPipelineExecutionCommand,
  ListActionExecutionsCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { DescribeImagesCommand, type ImageIdentifier } from '@aws-sdk/client-ecr';
import { type CliContext, CliError } from './cli-context';
import { type CliCommand, JSON_OPTION, stackOption } from './command';
import { resolveService } from './rollback';

export interface ReleaseOptions {
  readonly stack: string;
  /** `v1.2`, `:v1.2`, `sha256:<64 hex>` or `@sha256:<64 hex>`: an image already in the pipeline's source repository. */
  readonly version: string;
  /** Start the release and return, without following it. */
  readonly noFollow: boolean;
  readonly json: boolean;
  /**
   * How long to follow before giving up (the release carries on).
   * @default 60 minutes
   */
  readonly timeoutMs?: number;
  /**
   * Time between two looks at the execution.
   * @default 15 seconds
   */
  readonly pollMs?: number;
}

/** What a release version names: a tag or a digest of the repository. */
export type ImageRef = { readonly tag: string } | { readonly digest: string };

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** `v1.2` or `:v1.2` is a tag, `sha256:…` or `@sha256:…` a digest; anything else a usage error. */
export function parseVersion(version: string): ImageRef {
  const digest = version.replace(/^@/, '');
  if (DIGEST.test(digest)) return { digest };
  const tag = version.replace(/^:/, '');
  if (TAG.test(tag) && !tag.startsWith('sha256')) return { tag };
  throw new CliError(`<version>: an image tag (v1.2 or :v1.2) or digest (sha256:<64 hex> or @sha256:<64 hex>) (got ${version})`, 2);
}

const describeRef = (ref: ImageRef) => ('tag' in ref ? `:${ref.tag}` : `@${ref.digest}`);

/** The pipeline's ECR source action: its name and repository; a pipeline with another source cannot release an image by version. */
async function ecrSource(ctx: CliContext, pipelineName: string): Promise<{ actionName: string; repositoryName: string }> {
  const pipeline = (await ctx.codepipeline.send(new GetPipelineCommand({ name: pipelineName }))).pipeline;
  const sources: ActionDeclaration[] = (pipeline?.stages ?? []).flatMap((s) => s.actions ?? []).filter((a) => a.actionTypeId?.category === 'Source');
  const ecr = sources.find((a) => a.actionTypeId?.provider === 'ECR');
  const repositoryName = ecr?.configuration?.RepositoryName;
  if (ecr?.name && repositoryName) return { actionName: ecr.name, repositoryName };
  const git = sources[0];
  throw new CliError(
    `Pipeline ${pipelineName} releases from ${git ? `a ${git.actionTypeId?.provider ?? 'non-ECR'} source (action ${git.name})` : 'no ECR source'}, not an image repository: ` +
      'push the commit to the branch it watches (the pipeline builds, tests and releases it), or start it on one commit with ' +
      `\`aws codepipeline start-pipeline-execution --name ${pipelineName} --source-revisions actionName=${git?.name ?? '<source action>'},revisionType=COMMIT_ID,revisionValue=<commit>\`.`,
    2,
  );
}

/** The digest of the image `ref` names in the repository, or a usage error naming both. */
async function resolveDigest(ctx: CliContext, repositoryName: string, ref: ImageRef): Promise<{ digest: string; tags: string[] }> {
  const imageId: ImageIdentifier = 'tag' in ref ? { imageTag: ref.tag } : { imageDigest: ref.digest };
  try {
    const image = (await ctx.ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [imageId] }))).imageDetails?.[0];
    if (image?.imageDigest) return { digest: image.imageDigest, tags: image.imageTags ?? [] };
  } catch (error) {
    if ((error as { name?: string }).name !== 'ImageNotFoundException') throw error;
  }
  throw new CliError(`Image ${describeRef(ref)} is not in repository ${repositoryName}: push it there first (see docs/releases.md), or name a tag or digest it holds.`, 2);
}

/** An action execution as one progress line: `Deploy/Deploy InProgress: updating shop-stateless: ImageVersion=@sha256:…`. */
function progressLine(a: ActionExecutionDetail): string {
  const summary = a.output?.executionResult?.errorDetails?.message ?? a.output?.executionResult?.externalExecutionSummary;
  return `${a.stageName}/${a.actionName} ${a.status}${summary ? `: ${summary}` : ''}`;
}

/** Why a release ended without success: the failed action's message, saying so when CloudFormation or ECS rolled it back. */
function failureReason(status: string, actions: ActionExecutionDetail[], statusSummary?: string): string {
  const failed = actions.find((a) => a.status === 'Failed');
  const message = failed?.output?.executionResult?.errorDetails?.message ?? failed?.output?.executionResult?.externalExecutionSummary ?? statusSummary;
  const where = failed ? ` at ${failed.stageName}/${failed.actionName}` : '';
  const rolledBack = message && /rolled (it )?back|ROLLBACK/.test(message) ? 'rolled back, the service runs the previous release: ' : '';
  if (status === 'Superseded') return `superseded by a newer execution of the pipeline${message ? `: ${message}` : ''}`;
  return `${status.toLowerCase()}${where}: ${rolledBack}${message ?? 'see the pipeline in the CodePipeline console'}`;
}

function duration(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

/**
 * `shipshape release <version>`: releases an image already in the pipeline's source repository through the pipeline, as
 * a push would: StartPipelineExecution with the source action's revision overridden to the image's digest
 * (https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_SourceRevisionOverride.html, IMAGE_DIGEST for an
 * ECR source: https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-trigger-source-overrides.html), so
 * approval, migration and the blue/green deploy all run. Then follows the execution to its end.
 */
export async function release(ctx: CliContext, options: ReleaseOptions): Promise<void> {
  const ref = parseVersion(options.version);
  const service = await resolveService(ctx, options.stack);
  const pipelineName = service.pipelineName;
  if (!pipelineName) {
    throw new CliError(
      `Stack ${options.stack} has no release pipeline: deploy an image by hand with \`npx cdk deploy --exclusively ${options.stack} --parameters ImageVersion=${describeRef(ref)}\` (docs/manual-release.md).`,
      2,
    );
  }
  const source = await ecrSource(ctx, pipelineName);
  const { digest, tags } = await resolveDigest(ctx, source.repositoryName, ref);
  const { pipelineExecutionId } = await ctx.codepipeline.send(
    new StartPipelineExecutionCommand({
      name: pipelineName,
      sourceRevisions: [{ actionName: source.actionName, revisionType: 'IMAGE_DIGEST', revisionValue: digest }],
    }),
  );
  const id = pipelineExecutionId as string;
  const what = `${source.repositoryName}@${digest}${tags.length > 0 ? ` (${tags.join(', ')})` : ''}`;
  ctx.out(options.json ? JSON.stringify({ pipelineName, pipelineExecutionId: id, repository: source.repositoryName, digest, tags }) : `Releasing ${what}: pipeline ${pipelineName}, execution ${id}`);
  if (options.noFollow) return;
  await follow(ctx, options, pipelineName, id);
}

async function follow(ctx: CliContext, options: ReleaseOptions, pipelineName: string, pipelineExecutionId: string): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60 * 60_000;
  const started = ctx.now().getTime();
  const printed = new Map<string, string>();
  for (;;) {
    await ctx.sleep(options.pollMs ?? 15_000);
    const execution = (await ctx.codepipeline.send(new GetPipelineExecutionCommand({ pipelineName, pipelineExecutionId }))).pipelineExecution;
    const status = execution?.status ?? 'Unknown';
    const actions = (await ctx.codepipeline.send(new ListActionExecutionsCommand({ pipelineName, filter: { pipelineExecutionId } }))).actionExecutionDetails ?? [];
    const elapsedMs = ctx.now().getTime() - started;
    const sorted = [...actions].sort((a, b) => (a.startTime?.getTime() ?? 0) - (b.startTime?.getTime() ?? 0));
    for (const action of sorted) {
      const key = action.actionExecutionId ?? `${action.stageName}/${action.actionName}`;
      const line = progressLine(action);
      if (printed.get(key) === line) continue;
      printed.set(key, line);
      ctx.out(options.json ? JSON.stringify({ stage: action.stageName, action: action.actionName, status: action.status, summary: action.output?.executionResult?.externalExecutionSummary }) : `[${Math.round(elapsedMs / 1000)} s] ${line}`);
    }
    if (status === 'Succeeded') {
      ctx.out(options.json ? JSON.stringify({ pipelineExecutionId, status }) : `Release ${pipelineExecutionId} succeeded.`);
      return;
    }
    if (['Failed', 'Stopped', 'Superseded', 'Cancelled'].includes(status)) {
      throw new CliError(`Release ${pipelineExecutionId} ${failureReason(status, actions, execution?.statusSummary)}`);
    }
    if (elapsedMs >= timeoutMs) {
      throw new CliError(
        `Stopped following after ${duration(timeoutMs)}: release ${pipelineExecutionId} is still ${status} and carries on without this command. Follow it with \`shipshape status\` or in the CodePipeline console.`,
      );
    }
  }
}

/** `--timeout` as milliseconds: a whole number of seconds, minutes or hours (`90s`, `45m`, `2h`). */
export function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)([smh])$/.exec(value);
  if (!match || Number(match[1]) === 0) throw new CliError(`--timeout: a duration such as 90s, 45m or 2h (got ${value})`, 2);
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'];
}

export const releaseCommand: CliCommand = {
  name: 'release',
  summary: 'release an image already in the repository (a tag or digest) through the pipeline',
  description: [
    'Releases an image already in the release pipeline\'s source repository, as a push of it would: the pipeline runs',
    'with its source set to the image\'s digest (approval, migration and the blue/green deploy included), and the',
    'release step tags the image release-<execution id>. Use it to release a tag again, or an older image by digest.',
    'It follows the release, printing each stage and action as it changes, until it ends (or --timeout; the release',
    'carries on). A pipeline that builds from Git releases commits instead: the error says how.',
  ].join('\n'),
  arguments: [{ name: 'version', description: 'an image tag (v1.2 or :v1.2) or digest (sha256:<64 hex> or @sha256:<64 hex>) in the repository' }],
  options: {
    stack: stackOption('stateless'),
    'no-follow': { type: 'boolean', description: 'start the release and return (exit 0) without following it' },
    timeout: { type: 'string', value: 'T', description: 'stop following after T, e.g. 30m (default: 60m); the release carries on' },
    json: JSON_OPTION,
  },
  examples: ['shipshape release v1.4', 'shipshape release sha256:3f2a…  --no-follow'],
  exitCodes: {
    0: 'the release succeeded (with --no-follow: it started)',
    1: 'the release failed, was stopped or superseded (the reason is printed; "rolled back" when the deployment was rolled back), or outlasted --timeout',
    2: 'bad usage, the image is not in the repository, the pipeline has no image source (Git), no pipeline, or no AWS credentials/region',
  },
  run: async (values, io) => {
    const [version] = io.positionals;
    if (version === undefined) throw new CliError('release: missing <version>, an image tag (v1.2) or digest (sha256:…) (see `shipshape release --help`)', 2);
    await release(io.ctx, {
      stack: (values.stack as string | undefined) ?? io.defaultStack('stateless'),
      version,
      noFollow: values['no-follow'] === true,
      json: values.json === true,
      timeoutMs: parseTimeout(values.timeout as string | undefined),
    });
  },
};
