import type { CfnParameter, Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { RedundantService } from '../service/redundant-service';

/** Release every image pushed to the repository with this tag, pinned by its digest. */
export interface EcrReleaseSource {
  readonly kind: 'ecr';
  /**
   * The tag the pipeline watches; each push of it releases the pushed image's digest.
   * @default 'latest'
   */
  readonly tag?: string;
}

/** Build from a Git repository: run the tests, build the image, push it tagged with the commit. */
export interface GitReleaseSource {
  readonly kind: 'git';
  /** A CodeStar (CodeConnections) connection ARN, already authorized in the console. */
  readonly connectionArn: string;
  /** `owner/name` of the repository. */
  readonly repository: string;
  /** @default 'main' */
  readonly branch?: string;
  /**
   * Commands that must pass before the image is built.
   * @default ['npm ci', 'npm test']
   */
  readonly testCommands?: string[];
}

export type ReleaseSource = EcrReleaseSource | GitReleaseSource;

/** A one-off task that migrates the database before production traffic moves. */
export interface MigrationOptions {
  /** The command, in the application image (e.g. `['npm', 'run', 'migrate']`). */
  readonly command: string[];
  /**
   * Environment and secrets of the task (e.g. the database login).
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /** @default - none */
  readonly secrets?: Record<string, ecs.Secret>;
  /**
   * The uid the migration runs as (never root).
   * @default '1000'
   */
  readonly user?: string;
  /**
   * How long the migration may run before it is stopped and the release fails.
   * @default Duration.minutes(30)
   */
  readonly timeout?: Duration;
  /**
   * The stack parameter the migration image version comes from, created with
   * `imageVersionParameter` where the stack wants it named (e.g. `MigrationImageVersion`, beside
   * `ImageVersion`): operators and the release step set it by that name.
   * @default - a parameter in this construct, named by its path (`<id>MigrationImageVersion<hash>`)
   */
  readonly imageVersion?: CfnParameter;
  /**
   * Run the migration when the stack is created, before the service starts on its first image (a
   * custom resource the service depends on; the create fails unless the task exits 0). Later
   * releases migrate in the pipeline's Migrate stage. `timeout` may then be at most 55 minutes.
   * @default true
   */
  readonly runOnFirstDeploy?: boolean;
  /**
   * The image the migration runs while its version is `initial` (before the first release), e.g.
   * the service's own initial image, so a first deploy can migrate before any image was pushed.
   * @default - none: the migration version always names an image of the repository
   */
  readonly initialImage?: ecs.ContainerImage;
  /**
   * The CPU architecture and operating system the migration task runs on. It runs the
   * application's image, so it must match the architecture that image was built for.
   * @default - the service's runtime platform (its task definition's)
   */
  readonly runtimePlatform?: ecs.RuntimePlatform;
}

export interface ReleasePipelineProps {
  /** The service released; its stack is updated through CloudFormation. */
  readonly service: RedundantService;
  /** Where the images live. */
  readonly repository: ecr.IRepository;
  /** The stack parameter the service image version comes from (see `imageVersionParameter`). */
  readonly imageVersion: CfnParameter;
  readonly source: ReleaseSource;
  /**
   * Runs before the new revision gets traffic; a failure stops the release.
   * @default - no migration stage
   */
  readonly migration?: MigrationOptions;
  /**
   * Wait for a person to approve before the migration and the deployment.
   * @default false
   */
  readonly manualApproval?: boolean;
  /**
   * Where pipeline failures are sent.
   * @default - no notifications
   */
  readonly topic?: sns.ITopic;
  /**
   * Where the migration task runs.
   * @default - the service's task subnets
   */
  readonly migrationSubnets?: ec2.SubnetSelection;
  /**
   * How long one deployment (blue/green with its bake) may take before it is cancelled and rolled
   * back; at least the bake plus 15 minutes.
   * @default Duration.minutes(60)
   */
  readonly deployTimeout?: Duration;
  /**
   * The key that encrypts the artifact bucket and the pipeline's logs (release step, migration,
   * build). It must allow CloudWatch Logs to use it, as the service's key does.
   * @default - a new rotating key for the artifacts and the pipeline's logs
   */
  readonly encryptionKey?: kms.IKey;
}
