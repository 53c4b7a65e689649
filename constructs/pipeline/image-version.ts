import { CfnCondition, CfnParameter, Fn, Stack, Token } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';

/**
 * The image version of a stack that has not been released yet: its tasks run the initial image
 * given to `VersionedEcrImage` (e.g. an image asset built by `cdk deploy`) until a release sets a
 * version of the repository.
 */
export const INITIAL_IMAGE_VERSION = 'initial';

/** `:tag` or `@sha256:digest`: what follows the repository URI in an image reference. */
export const RELEASED_IMAGE_VERSION_PATTERN = '^(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$';

/** A released version (`:tag` or `@sha256:digest`), or `initial`: the initial image, before any release. */
export const IMAGE_VERSION_PATTERN = `^(${INITIAL_IMAGE_VERSION}|:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$`;

/**
 * A stack parameter that holds the image version. Releases set it through CloudFormation; a later
 * `cdk deploy` keeps its previous value (the CDK CLI passes UsePreviousValue for parameters it is
 * not given: `--previous-parameters`, default true,
 * https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-deploy.html), so the template and the
 * running image never disagree and a hand deploy never puts an old image back.
 *
 * @param initialTag the tag the stack starts on; undefined: the parameter starts at `initial`, and
 * the images built on it (`VersionedEcrImage` with an `initialImage`) run their initial image until
 * the first release.
 */
export function imageVersionParameter(scope: Construct, id: string, initialTag: string | undefined, description: string): CfnParameter {
  const initial = initialTag === undefined ? INITIAL_IMAGE_VERSION : `:${initialTag}`;
  if (initialTag !== undefined && !new RegExp(RELEASED_IMAGE_VERSION_PATTERN).test(initial)) {
    throw new Error(`${id}: the initial image tag must be a valid tag (letters, digits, _ . -, up to 128) (got ${initialTag})`);
  }
  return new CfnParameter(scope, id, {
    type: 'String',
    default: initial,
    // `initial` is offered only where the stack starts on it: elsewhere there is no initial image to go back to.
    allowedPattern: initialTag === undefined ? IMAGE_VERSION_PATTERN : RELEASED_IMAGE_VERSION_PATTERN,
    constraintDescription:
      initialTag === undefined
        ? `an image version: ":tag", "@sha256:<64 hex digits>" or "${INITIAL_IMAGE_VERSION}" (the initial image)`
        : 'an image version: ":tag" or "@sha256:<64 hex digits>"',
    description,
  });
}

export interface VersionedEcrImageOptions {
  /**
   * The image the task runs while the version is `initial` (before the first release), e.g.
   * `ecs.ContainerImage.fromDockerImageAsset(asset)`. The template chooses with one condition per
   * version parameter (`<parameter>IsInitial`); the execution role may pull both images.
   * @default - none: the version must always name an image of the repository
   */
  readonly initialImage?: ecs.ContainerImage;
}

/**
 * An image from an ECR repository at a version given as `:tag` or `@sha256:digest` (e.g. a stack
 * parameter); with an `initialImage`, that image while the version is `initial`.
 */
export class VersionedEcrImage extends ecs.ContainerImage {
  constructor(
    private readonly repository: ecr.IRepository,
    private readonly version: string,
    private readonly options: VersionedEcrImageOptions = {},
  ) {
    super();
  }

  public bind(scope: Construct, container: ecs.ContainerDefinition): ecs.ContainerImageConfig {
    this.repository.grantPull(container.taskDefinition.obtainExecutionRole());
    const released = Fn.join('', [this.repository.repositoryUri, this.version]);
    const { initialImage } = this.options;
    if (!Token.isUnresolved(this.version)) {
      if (this.version !== INITIAL_IMAGE_VERSION) return { imageName: released };
      if (!initialImage) throw new Error(`VersionedEcrImage: version "${INITIAL_IMAGE_VERSION}" needs options.initialImage, the image to run before the first release`);
      return initialImage.bind(scope, container);
    }
    if (!initialImage) return { imageName: released };
    const initial = initialImage.bind(scope, container);
    return { ...initial, imageName: Fn.conditionIf(isInitialCondition(scope, this.version).logicalId, initial.imageName, released).toString() };
  }
}

/**
 * The condition "this version is `initial`", created once per version (a parameter reference) in
 * the stack: a second image on the same parameter (e.g. a migration task) reuses it.
 */
function isInitialCondition(scope: Construct, version: string): CfnCondition {
  const stack = Stack.of(scope);
  const resolved = stack.resolve(version) as unknown;
  const ref = typeof resolved === 'object' && resolved !== null && 'Ref' in resolved ? String(resolved.Ref) : undefined;
  if (!ref) throw new Error(`VersionedEcrImage: with an initialImage, the version must be a stack parameter's value (got ${JSON.stringify(resolved)})`);
  const id = `${ref.replace(/[^A-Za-z0-9]/g, '')}IsInitial`;
  return (
    (stack.node.tryFindChild(id) as CfnCondition | undefined) ??
    new CfnCondition(stack, id, { expression: Fn.conditionEquals(version, INITIAL_IMAGE_VERSION) })
  );
}
