import type { Duration } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import type { ReleaseStrategy, SmokeTestOptions } from './release-options';

/** The ALB target health check. Defaults take a dead task out of rotation within 14 s. */
export interface ServiceHealthCheckOptions {
  /**
   * The path the ALB and the container health check request.
   * @default '/health'
   */
  readonly path?: string;
  /**
   * Time between ALB checks of one target (5-300 s).
   * @default Duration.seconds(5) - AWS's default is 30 s
   */
  readonly interval?: Duration;
  /**
   * How long a check waits for an answer (2-120 s, less than the interval).
   * @default Duration.seconds(4)
   */
  readonly timeout?: Duration;
  /**
   * Consecutive failures that take a target out of rotation (2-10).
   * @default 2
   */
  readonly unhealthyThreshold?: number;
  /**
   * Consecutive successes that put a new target in rotation (2-10).
   * @default 2 - AWS's default is 5
   */
  readonly healthyThreshold?: number;
  /**
   * The container health check command; a container that fails it 3 times is replaced by ECS.
   * @default - `wget` of `http://localhost:<port><path>` (`CMD-SHELL`): the image needs wget
   * (busybox and Alpine images have it); give a command that fits your image otherwise
   */
  readonly containerCommand?: string[];
  /**
   * How long ECS ignores failing ALB checks of a starting task.
   * @default Duration.seconds(30)
   */
  readonly gracePeriod?: Duration;
}

export interface RedundantServiceProps {
  /** The VPC to run in. */
  readonly vpc: ec2.IVpc;
  /**
   * Where tasks run.
   * @default - the VPC's private subnets with egress
   */
  readonly taskSubnets?: ec2.SubnetSelection;
  /**
   * Where the internet-facing load balancer goes.
   * @default - the VPC's public subnets
   */
  readonly loadBalancerSubnets?: ec2.SubnetSelection;
  /** The container image, e.g. `ecs.ContainerImage.fromEcrRepository(repo, tag)`. */
  readonly image: ecs.ContainerImage;
  /**
   * The port the container listens on (1-65535).
   * @default 8080
   */
  readonly containerPort?: number;
  /**
   * The uid (or uid:gid) the container runs as; root is refused.
   * @default '1000'
   */
  readonly containerUser?: string;
  /**
   * Tasks to run; also the autoscaling minimum. At least 2, so one can fail.
   * @default 2
   */
  readonly desiredCount?: number;
  /**
   * Accept fewer than 2 tasks (one task: every restart and deploy is an outage). For non-production only.
   * @default false
   */
  readonly allowSingleTask?: boolean;
  /**
   * The autoscaling maximum.
   * @default - 5 times desiredCount, at least 10
   */
  readonly maxCount?: number;
  /**
   * Scale out when average CPU passes this percentage.
   * @default 60
   */
  readonly targetCpuPercent?: number;
  /**
   * Rolling releases: also scale out when ALB requests per task per minute pass this. (Blue/green
   * scales on CPU only: per-target request counts follow one target group, which goes quiet after a swap.)
   * @default 1000
   */
  readonly targetRequestsPerTaskPerMinute?: number;
  /**
   * Task CPU units: 256 | 512 | 1024 | 2048 | 4096 | 8192 | 16384.
   * @default 512
   */
  readonly cpu?: number;
  /**
   * Task memory, MiB; also the container's hard limit. Must be a Fargate size for `cpu`.
   * @default 1024
   */
  readonly memoryLimitMiB?: number;
  /**
   * CPU architecture. ARM64 (Graviton) costs ~20% less; the image must be built for it.
   * @default ecs.CpuArchitecture.X86_64
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;
  /**
   * Share of tasks beyond the first on Fargate Spot, as a weight against 1 on-demand (0 = none).
   * Spot tasks can be reclaimed with two minutes' notice: for non-production.
   * @default 0
   */
  readonly spotWeight?: number;
  /** ALB and container health checks. @default - see `ServiceHealthCheckOptions` */
  readonly healthCheck?: ServiceHealthCheckOptions;
  /**
   * How long the ALB lets in-flight requests finish on a stopping task before ECS sends SIGTERM
   * (0-3600 s). Requests longer than this are cut at deploys and scale-in.
   * @default Duration.seconds(30) - AWS's default is 300 s, which slows every deploy by 5 minutes
   */
  readonly deregistrationDelay?: Duration;
  /**
   * How long the app has after SIGTERM to exit before SIGKILL (2-120 s on Fargate).
   * @default Duration.seconds(30) - as long as the default deregistration delay
   */
  readonly stopTimeout?: Duration;
  /**
   * Plain environment variables (never secrets: use `secrets`).
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Secrets injected by ECS at task start from Secrets Manager or SSM.
   * @default - none
   */
  readonly secrets?: Record<string, ecs.Secret>;
  /**
   * A certificate for HTTPS; `domainName` must be one of its names.
   * @default - one is created for `domainName` in `hostedZone` (DNS validation), or HTTP only if neither is given
   */
  readonly certificate?: acm.ICertificate;
  /**
   * The DNS name clients use. Needed with `certificate` (TLS is checked against it).
   * @default - none: the load balancer's own DNS name, HTTP only
   */
  readonly domainName?: string;
  /**
   * The Route 53 zone of `domainName`: an alias record is created, and a certificate if none is given.
   * @default - no DNS record; point `domainName` at the load balancer yourself
   */
  readonly hostedZone?: route53.IHostedZone;
  /**
   * Protect the load balancer from deletion (a deleted ALB's DNS name is gone for good).
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * How long container logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * How long ALB access logs are kept.
   * @default Duration.days(365)
   */
  readonly accessLogRetention?: Duration;
  /**
   * Key for the container log group. It must allow CloudWatch Logs to use it.
   * @default - a new customer-managed key with rotation on
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * How releases reach production.
   * @default ReleaseStrategy.BLUE_GREEN - a smoke-tested new revision, all traffic at once, one
   * weight flip back on an alarm during the bake
   */
  readonly releaseStrategy?: ReleaseStrategy;
  /**
   * Blue/green: how long the new revision serves all production traffic while the old one stays
   * ready and the deployment alarms can still flip traffic back (1-1440 minutes). Must cover the
   * slowest rollback alarm's detection time (checked by `ServiceAlarms`).
   * @default Duration.minutes(10)
   */
  readonly bakeTime?: Duration;
  /**
   * Blue/green: the pre-traffic smoke test on the test route.
   * @default - GET the health check path, expect 200, 3 attempts of 5 s, 5 s apart
   */
  readonly smokeTest?: SmokeTestOptions;
  /**
   * Blue/green: refuse a `cdk deploy` that would change the service while a deployment of it is
   * running or baking (a custom resource the service depends on; see `DeploymentGuard`). Without it
   * such a deploy changes the service in the middle of that deployment.
   * @default true
   */
  readonly deploymentGuard?: boolean;
}
