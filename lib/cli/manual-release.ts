import { type ContainerImage, DescribeServiceRevisionsCommand, ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs';
import type { CliContext } from './cli-context';
import type { ServiceRef } from './rollback';

/** The image the service ran before its current revision: the revision of the second newest completed deployment. */
async function previousImage(ctx: CliContext, ref: ServiceRef): Promise<ContainerImage | undefined> {
  const completed = await ctx.ecs.send(new ListServiceDeploymentsCommand({ service: ref.serviceArn, cluster: ref.cluster, status: ['SUCCESSFUL'], maxResults: 2 }));
  const revisionArn = completed.serviceDeployments?.[1]?.targetServiceRevisionArn;
  if (!revisionArn) return undefined;
  const revision = (await ctx.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [revisionArn] }))).serviceRevisions?.[0];
  return revision?.containerImages?.find((i) => i.imageDigest) ?? revision?.containerImages?.[0];
}

/**
 * What `shipshape rollback` says when nothing is in progress and there is no pipeline: how to deploy the previous image by
 * hand, through CloudFormation like a release (docs/manual-release.md). An ECR image's version is the stack's
 * `ImageVersion` parameter, set with `cdk deploy --parameters`; an image given by URI is in the configuration.
 * `--exclusively` keeps `cdk deploy` from deploying the stateful stack the stateless one depends on
 * (https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-deploy.html).
 */
export async function manualRollback(ctx: CliContext, ref: ServiceRef): Promise<string> {
  const previous = await previousImage(ctx, ref);
  const stack = ref.stack;
  const head = `No deployment is in progress and stack ${stack} has no release pipeline, so there is no release to roll back to: nothing changed.`;
  if (ref.imageVersion !== undefined) {
    const version = previous?.imageDigest ? `@${previous.imageDigest}` : '<:tag or @sha256:digest of the previous image>';
    const known = previous?.imageDigest
      ? `the previous revision ran ${previous.image ?? previous.containerName ?? 'its image'} (${previous.imageDigest})`
      : 'ECS lists no earlier completed deployment: take the previous tag or digest from ECR';
    return (
      `${head} To deploy the previous image by hand (a CloudFormation update, blue/green like a release), from the checkout that deployed the stack run:\n` +
      `  npx cdk deploy --exclusively ${stack} --parameters ImageVersion=${version}\n` +
      `The service runs ImageVersion ${ref.imageVersion} now; ${known}. See docs/manual-release.md.`
    );
  }
  const image = previous?.image ? `${previous.image}${previous.imageDigest && !previous.image.includes('@') ? ` (${previous.imageDigest})` : ''}` : '<the previous image>';
  return (
    `${head} The image is set by URI in the configuration: set service.image.uri back to ${image} (in shipshape.config.json, or the shipshape object in cdk.json), then run\n` +
    `  npx cdk deploy --exclusively ${stack}\n` +
    'See docs/manual-release.md.'
  );
}
