import { Duration, RemovalPolicy, Tags, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { RELEASE_TAG_PREFIX } from './runtime/release-tags';

export interface ImageRepositoryProps {
  /**
   * The tag the release pipeline watches: the one tag a push may move to another image. Every
   * other tag is immutable, so a `release-<execution id>` tag (or a commit tag) always names the
   * image it first named.
   * @default 'latest'
   */
  readonly watchedTag?: string;
  /**
   * How many of the newest released images (tagged `release-<pipeline execution id>` by the release
   * step) are never expired: the images running now, and every rollback target among the last releases.
   * ECR counts images by their push time, not by when a release tagged them
   * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html), so an image
   * pushed before the newest `releasedImagesToKeep` released ones and released again may still
   * expire: keep it above the releases a team makes between such a re-release and the next push.
   * @default 100
   */
  readonly releasedImagesToKeep?: number;
  /**
   * How long an untagged image (a replaced push of the watched tag that was never released, or the
   * layers of an interrupted push) is kept.
   * @default Duration.days(14)
   */
  readonly untaggedImageAge?: Duration;
  /**
   * How many images are kept in all, counting released ones; older images that no rule above
   * protects (never released, still tagged) are expired beyond it.
   * @default 100
   */
  readonly imagesToKeep?: number;
  /**
   * A customer managed key for the images at rest.
   * @default - the AWS managed key `aws/ecr`: KMS encryption at rest without a key of our own to pay for
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The ECR repository releases come from: KMS-encrypted, scanned on push, every tag immutable
 * except the watched one, and a lifecycle policy that never expires an image a recent release or a
 * rollback target uses. It keeps its images when it leaves the stack (or the stack is deleted),
 * and a failed first create still rolls back cleanly (no fixed name, RetainExceptOnCreate).
 *
 * The lifecycle rules, in priority order
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html: an image that
 * matches the tagging requirements of a rule cannot be expired by a rule with a lower priority, and
 * a rule with tagStatus `any` must have the lowest priority):
 * 1. images tagged `release-*`: the newest `releasedImagesToKeep` (by push time) are kept, older releases expire;
 * 2. untagged images expire `untaggedImageAge` after their push;
 * 3. any other image beyond the newest `imagesToKeep` expires.
 */
export class ImageRepository extends Construct {
  public readonly repository: ecr.Repository;
  /** The tag whose pushes the release pipeline watches (the one mutable tag). */
  public readonly watchedTag: string;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps = {}) {
    super(scope, id);
    Tags.of(this).add('shipshape:component', 'pipeline');
    const watchedTag = props.watchedTag ?? 'latest';
    const releasedImagesToKeep = props.releasedImagesToKeep ?? 100;
    const untaggedImageAge = props.untaggedImageAge ?? Duration.days(14);
    const imagesToKeep = props.imagesToKeep ?? 100;
    validate(watchedTag, releasedImagesToKeep, untaggedImageAge, imagesToKeep);
    this.watchedTag = watchedTag;

    this.repository = new ecr.Repository(this, 'Repository', {
      // Without encryptionKey, KMS uses the AWS managed key for ECR (aws/ecr):
      // https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html
      encryption: ecr.RepositoryEncryption.KMS,
      encryptionKey: props.encryptionKey,
      imageScanOnPush: true,
      // Immutable except the watched tag: https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
      imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
      imageTagMutabilityExclusionFilters: [ecr.ImageTagMutabilityExclusionFilter.wildcard(watchedTag)],
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.repository.addLifecycleRule({
      rulePriority: 1,
      description: `Keep the newest ${releasedImagesToKeep} released images: what runs, and every recent rollback target`,
      tagStatus: ecr.TagStatus.TAGGED,
      tagPrefixList: [RELEASE_TAG_PREFIX],
      maxImageCount: releasedImagesToKeep,
    });
    this.repository.addLifecycleRule({
      rulePriority: 2,
      description: `Expire untagged images ${untaggedImageAge.toDays()} days after their push`,
      tagStatus: ecr.TagStatus.UNTAGGED,
      maxImageAge: untaggedImageAge,
    });
    this.repository.addLifecycleRule({
      rulePriority: 3,
      description: `Keep at most ${imagesToKeep} images; released ones are protected by rule 1`,
      tagStatus: ecr.TagStatus.ANY,
      maxImageCount: imagesToKeep,
    });
  }

  /** `docker pull`: for the tasks' execution roles. */
  public grantPull(grantee: iam.IGrantable): iam.Grant {
    return this.repository.grantPull(grantee);
  }

  /** `docker push` (and pull): for a build that publishes images. */
  public grantPush(grantee: iam.IGrantable): iam.Grant {
    return this.repository.grantPullPush(grantee);
  }
}

function validate(watchedTag: string, releasedImagesToKeep: number, untaggedImageAge: Duration, imagesToKeep: number): void {
  // Exclusion filter values: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageTagMutabilityExclusionFilter.html
  if (!Token.isUnresolved(watchedTag) && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(watchedTag)) {
    throw new Error(`ImageRepository: watchedTag must be an image tag (letters, digits, _ . -, up to 128, no wildcard) (got "${watchedTag}")`);
  }
  if (!Token.isUnresolved(watchedTag) && watchedTag.startsWith(RELEASE_TAG_PREFIX)) {
    throw new Error(`ImageRepository: watchedTag may not start with "${RELEASE_TAG_PREFIX}", the prefix of the tags releases put on the images they deploy (got "${watchedTag}")`);
  }
  for (const [name, value] of [['releasedImagesToKeep', releasedImagesToKeep], ['imagesToKeep', imagesToKeep]] as const) {
    if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < 1)) {
      throw new Error(`ImageRepository: ${name} must be a whole number of images, at least 1 (got ${value})`);
    }
  }
  const days = untaggedImageAge.toDays();
  if (!Token.isUnresolved(days) && days < 1) {
    throw new Error(`ImageRepository: untaggedImageAge must be at least 1 day (got ${days} days)`);
  }
}
