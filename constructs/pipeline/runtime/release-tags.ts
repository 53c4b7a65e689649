/**
 * The tag a release puts on the image it deploys (`release-<pipeline execution id>`): the
 * repository's lifecycle policy keeps the newest released images by this prefix, so an image
 * a recent release or a rollback target uses is never expired, and `shipshape status` maps a
 * running digest back to the release that deployed it.
 */
export const RELEASE_TAG_PREFIX = 'release-';

/** The tag for the release run by one pipeline execution. */
export function releaseTag(pipelineExecutionId: string): string {
  return `${RELEASE_TAG_PREFIX}${pipelineExecutionId}`;
}

/** The pipeline execution id a release tag names, or undefined for any other tag. */
export function executionIdOfTag(tag: string): string | undefined {
  return tag.startsWith(RELEASE_TAG_PREFIX) ? tag.slice(RELEASE_TAG_PREFIX.length) || undefined : undefined;
}
