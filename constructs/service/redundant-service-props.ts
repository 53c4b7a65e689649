import { type Duration, Token } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import { validateFargateSize } from './fargate-size';

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
   * Scale out when ALB requests per task per minute pass this.
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
}

const NAME = 'RedundantService';

function seconds(d: Duration | undefined, fallback: number): number {
  return d === undefined ? fallback : d.toSeconds();
}

function inRange(prop: string, value: number, min: number, max: number, hint = ''): void {
  if (!Token.isUnresolved(value) && (value < min || value > max || !Number.isFinite(value))) {
    throw new Error(`${NAME}: ${prop} must be between ${min} and ${max} (got ${value})${hint}`);
  }
}

/** Checks every prop whose bad value would fail at deploy time, or remove a safety silently. */
export function validateServiceProps(props: RedundantServiceProps): void {
  const desired = props.desiredCount ?? 2;
  if (!Token.isUnresolved(desired) && desired < 2 && !props.allowSingleTask) {
    throw new Error(
      `${NAME}: desiredCount must be at least 2 so a task can fail without an outage (got ${desired}); ` +
        'set allowSingleTask: true for a non-production service',
    );
  }
  inRange('desiredCount', desired, 1, 1000);
  if (props.maxCount !== undefined) inRange('maxCount', props.maxCount, desired, 1000, ' (at least desiredCount)');
  inRange('containerPort', props.containerPort ?? 8080, 1, 65535);
  validateFargateSize(props.cpu ?? 512, props.memoryLimitMiB ?? 1024, NAME);
  inRange('targetCpuPercent', props.targetCpuPercent ?? 60, 10, 90);
  inRange('targetRequestsPerTaskPerMinute', props.targetRequestsPerTaskPerMinute ?? 1000, 1, 1_000_000);
  inRange('spotWeight', props.spotWeight ?? 0, 0, 10);

  const user = props.containerUser ?? '1000';
  if (/^(0|root)(:|$)/.test(user)) {
    throw new Error(`${NAME}: containerUser must not be root (got ${user}); use the image's non-root uid, e.g. '1000'`);
  }
  const path = props.healthCheck?.path ?? '/health';
  if (!path.startsWith('/')) {
    throw new Error(`${NAME}: healthCheck.path must start with '/' (got ${path})`);
  }
  const interval = seconds(props.healthCheck?.interval, 5);
  const timeout = seconds(props.healthCheck?.timeout, 4);
  inRange('healthCheck.interval (s)', interval, 5, 300);
  inRange('healthCheck.timeout (s)', timeout, 2, Math.min(120, interval - 1), ' and shorter than the interval');
  inRange('healthCheck.unhealthyThreshold', props.healthCheck?.unhealthyThreshold ?? 2, 2, 10);
  inRange('healthCheck.healthyThreshold', props.healthCheck?.healthyThreshold ?? 2, 2, 10);
  inRange('deregistrationDelay (s)', seconds(props.deregistrationDelay, 30), 0, 3600);
  inRange('stopTimeout (s)', seconds(props.stopTimeout, 30), 2, 120);

  if (props.certificate && !props.domainName) {
    throw new Error(
      `${NAME}: certificate needs domainName: clients check the certificate against the name they connect to, ` +
        "and the load balancer's own DNS name is not on it",
    );
  }
  if (props.domainName && !props.certificate && !props.hostedZone) {
    throw new Error(
      `${NAME}: domainName needs a certificate or a hostedZone to create one in (got domainName ${props.domainName} alone)`,
    );
  }
}
