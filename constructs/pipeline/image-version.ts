import { CfnParameter, Fn } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';

/** `:tag` or `@sha256:digest`: what follows the repository URI in an image reference. */
export const IMAGE_VERSION_PATTERN = '^(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$';

/**
 * A stack parameter that holds the image version. Releases set it through CloudFormation; a later
 * `cdk deploy` keeps its previous value (the CDK CLI passes UsePreviousValue for parameters it is
 * not given), so the template and the running image never disagree and a hand deploy never puts
 * an old image back.
 */
export function imageVersionParameter(scope: Construct, id: string, initialTag: string, description: string): CfnParameter {
  const initial = `:${initialTag}`;
  if (!new RegExp(IMAGE_VERSION_PATTERN).test(initial)) {
    throw new Error(`${id}: the initial image tag must be a valid tag (letters, digits, _ . -, up to 128) (got ${initialTag})`);
  }
  return new CfnParameter(scope, id, {
    type: 'String',
    default: initial,
    allowedPattern: IMAGE_VERSION_PATTERN,
    constraintDescription: 'an image version: ":tag" or "@sha256:<64 hex digits>"',
    description,
  });
}

/** An image from an ECR repository at a version given as `:tag` or `@sha256:digest` (e.g. a stack parameter). */
export class VersionedEcrImage extends ecs.ContainerImage {
  constructor(
    private readonly repository: ecr.IRepository,
    private readonly version: string,
  ) {
    super();
  }

  public bind(_scope: Construct, container: ecs.ContainerDefinition): ecs.ContainerImageConfig {
    this.repository.grantPull(container.taskDefinition.obtainExecutionRole());
    return { imageName: Fn.join('', [this.repository.repositoryUri, this.version]) };
  }
}
