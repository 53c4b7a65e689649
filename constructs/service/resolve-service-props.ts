import { Duration, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { validateFargateSize } from './fargate-size';
import type { HealthCheckTiming } from './health-timing';
import type { RedundantServiceProps } from './redundant-service-props';
import { ReleaseStrategy, type ResolvedSmokeTest } from './release-options';

/** `RedundantServiceProps` with every default applied (the `@default`s documented there), validated. */
export interface ResolvedServiceProps {
  readonly port: number;
  readonly user: string;
  readonly desiredCount: number;
  readonly maxCount: number;
  readonly targetCpuPercent: number;
  readonly targetRequestsPerTaskPerMinute: number;
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly cpuArchitecture: ecs.CpuArchitecture;
  readonly spotWeight: number;
  readonly healthPath: string;
  readonly healthCheckTiming: HealthCheckTiming;
  readonly containerHealthCommand: string[];
  readonly gracePeriod: Duration;
  readonly deregistrationDelay: Duration;
  readonly stopTimeout: Duration;
  readonly deletionProtection: boolean;
  readonly logRetention: logs.RetentionDays;
  readonly accessLogRetention: Duration;
  readonly releaseStrategy: ReleaseStrategy;
  readonly bakeTime: Duration;
  readonly smokeTest: ResolvedSmokeTest;
}

const NAME = 'RedundantService';

function inRange(prop: string, value: number, min: number, max: number, hint = ''): void {
  if (!Token.isUnresolved(value) && (value < min || value > max || !Number.isFinite(value))) {
    throw new Error(`${NAME}: ${prop} must be between ${min} and ${max} (got ${value})${hint}`);
  }
}

/**
 * Applies the defaults once and checks every prop whose bad value would fail at deploy time, or
 * remove a safety silently. Throws an error that names the prop, the value and the fix.
 */
export function resolveServiceProps(props: RedundantServiceProps): ResolvedServiceProps {
  const port = props.containerPort ?? 8080;
  const desiredCount = props.desiredCount ?? 2;
  const healthPath = props.healthCheck?.path ?? '/health';
  const resolved: ResolvedServiceProps = {
    port,
    user: props.containerUser ?? '1000',
    desiredCount,
    maxCount: props.maxCount ?? Math.max(10, desiredCount * 5),
    targetCpuPercent: props.targetCpuPercent ?? 60,
    targetRequestsPerTaskPerMinute: props.targetRequestsPerTaskPerMinute ?? 1000,
    cpu: props.cpu ?? 512,
    memoryLimitMiB: props.memoryLimitMiB ?? 1024,
    cpuArchitecture: props.cpuArchitecture ?? ecs.CpuArchitecture.X86_64,
    spotWeight: props.spotWeight ?? 0,
    healthPath,
    healthCheckTiming: {
      intervalSeconds: (props.healthCheck?.interval ?? Duration.seconds(5)).toSeconds(),
      timeoutSeconds: (props.healthCheck?.timeout ?? Duration.seconds(4)).toSeconds(),
      unhealthyThreshold: props.healthCheck?.unhealthyThreshold ?? 2,
      healthyThreshold: props.healthCheck?.healthyThreshold ?? 2,
    },
    containerHealthCommand: props.healthCheck?.containerCommand ?? [
      'CMD-SHELL',
      `wget -q -O /dev/null http://localhost:${port}${healthPath} || exit 1`,
    ],
    gracePeriod: props.healthCheck?.gracePeriod ?? Duration.seconds(30),
    deregistrationDelay: props.deregistrationDelay ?? Duration.seconds(30),
    stopTimeout: props.stopTimeout ?? Duration.seconds(30),
    deletionProtection: props.deletionProtection ?? true,
    logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    accessLogRetention: props.accessLogRetention ?? Duration.days(365),
    releaseStrategy: props.releaseStrategy ?? ReleaseStrategy.BLUE_GREEN,
    bakeTime: props.bakeTime ?? Duration.minutes(10),
    smokeTest: {
      path: props.smokeTest?.path ?? healthPath,
      expectedStatus: props.smokeTest?.expectedStatus ?? 200,
      attempts: props.smokeTest?.attempts ?? 3,
      timeoutSeconds: (props.smokeTest?.timeout ?? Duration.seconds(5)).toSeconds(),
      retryDelaySeconds: (props.smokeTest?.retryDelay ?? Duration.seconds(5)).toSeconds(),
    },
  };
  validate(resolved, props);
  return resolved;
}

function validate(r: ResolvedServiceProps, props: RedundantServiceProps): void {
  if (!Token.isUnresolved(r.desiredCount) && r.desiredCount < 2 && !props.allowSingleTask) {
    throw new Error(
      `${NAME}: desiredCount must be at least 2 so a task can fail without an outage (got ${r.desiredCount}); ` +
        'set allowSingleTask: true for a non-production service',
    );
  }
  inRange('desiredCount', r.desiredCount, 1, 1000);
  inRange('maxCount', r.maxCount, r.desiredCount, 1000, ' (at least desiredCount)');
  inRange('containerPort', r.port, 1, 65535);
  validateFargateSize(r.cpu, r.memoryLimitMiB, NAME);
  inRange('targetCpuPercent', r.targetCpuPercent, 10, 90);
  inRange('targetRequestsPerTaskPerMinute', r.targetRequestsPerTaskPerMinute, 1, 1_000_000);
  inRange('spotWeight', r.spotWeight, 0, 10);
  if (/^(0|root)(:|$)/.test(r.user)) {
    throw new Error(`${NAME}: containerUser must not be root (got ${r.user}); use the image's non-root uid, e.g. '1000'`);
  }
  if (!r.healthPath.startsWith('/')) {
    throw new Error(`${NAME}: healthCheck.path must start with '/' (got ${r.healthPath})`);
  }
  const t = r.healthCheckTiming;
  inRange('healthCheck.interval (s)', t.intervalSeconds, 5, 300);
  inRange('healthCheck.timeout (s)', t.timeoutSeconds, 2, Math.min(120, t.intervalSeconds - 1), ' and shorter than the interval');
  inRange('healthCheck.unhealthyThreshold', t.unhealthyThreshold, 2, 10);
  inRange('healthCheck.healthyThreshold', t.healthyThreshold, 2, 10);
  inRange('deregistrationDelay (s)', r.deregistrationDelay.toSeconds(), 0, 3600);
  inRange('stopTimeout (s)', r.stopTimeout.toSeconds(), 2, 120);

  inRange('bakeTime (minutes)', r.bakeTime.toMinutes(), 1, 1440);
  const smoke = r.smokeTest;
  if (!smoke.path.startsWith('/')) throw new Error(`${NAME}: smokeTest.path must start with '/' (got ${smoke.path})`);
  inRange('smokeTest.expectedStatus', smoke.expectedStatus, 100, 599);
  inRange('smokeTest.attempts', smoke.attempts, 1, 10);
  inRange('smokeTest.timeout (s)', smoke.timeoutSeconds, 1, 30);
  inRange('smokeTest.retryDelay (s)', smoke.retryDelaySeconds, 0, 60);
  if (r.releaseStrategy === ReleaseStrategy.ROLLING && (props.bakeTime || props.smokeTest)) {
    throw new Error(`${NAME}: bakeTime and smokeTest apply to releaseStrategy BLUE_GREEN only (got releaseStrategy ROLLING)`);
  }

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
