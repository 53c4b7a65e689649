import { Duration, Token } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { RedundantService } from '../service/redundant-service';
import type { PrometheusAlertThresholds } from './prometheus-rules';

export interface PrometheusMonitoringProps {
  /** The service whose tasks get the collector sidecar. */
  readonly service: RedundantService;
  /** Where every alert goes (its policy and its key's are made to admit this workspace's alert manager). */
  readonly topic: sns.ITopic;
  /**
   * The path the application serves its Prometheus metrics on, at its container port.
   * @default '/metrics'
   */
  readonly metricsPath?: string;
  /**
   * How often each task's collector scrapes the application (whole seconds, 1 s to 5 minutes).
   * Ingestion is billed per sample: doubling the interval halves that cost.
   * @default Duration.seconds(15)
   */
  readonly scrapeInterval?: Duration;
  /**
   * Encrypts the workspace's metrics at rest. Fixed at creation: a workspace cannot move between an
   * AWS-owned key and a customer managed one.
   * @default - a new customer-managed key with rotation on
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * How long the workspace's rule and alert manager logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Alert when 5xx answers exceed this percentage of requests for 5 minutes.
   * @default 5
   */
  readonly errorRatePercent?: number;
  /**
   * Alert when any route's p99 latency exceeds this for 10 minutes.
   * @default Duration.seconds(1)
   */
  readonly p99Latency?: Duration;
  /**
   * Alert when requests have waited for a database connection this long.
   * @default Duration.minutes(5)
   */
  readonly poolWaitingFor?: Duration;
  /**
   * Alert when a task's metrics could not be scraped this long.
   * @default Duration.minutes(2)
   */
  readonly targetDownFor?: Duration;
  /**
   * CPU units reserved for the collector, out of the task's.
   * @default 64
   */
  readonly collectorCpu?: number;
  /**
   * Memory reserved for the collector, out of the task's: also its hard limit, so a collector that
   * grows is stopped alone. The application keeps a hard limit of the whole task.
   * @default 128
   */
  readonly collectorMemoryMiB?: number;
}

/** `PrometheusMonitoringProps` with every default applied, validated. */
export interface ResolvedMonitoringProps {
  readonly metricsPath: string;
  readonly scrapeIntervalSeconds: number;
  readonly logRetention: logs.RetentionDays;
  readonly thresholds: PrometheusAlertThresholds;
  readonly collectorCpu: number;
  readonly collectorMemoryMiB: number;
}

const NAME = 'PrometheusMonitoring';

function wholeSeconds(prop: string, value: Duration, min: number, max: number): number {
  const ms = value.toMilliseconds();
  if (ms % 1000 !== 0 || ms < min * 1000 || ms > max * 1000) {
    throw new Error(`${NAME}: ${prop} must be a whole number of seconds between ${min} and ${max} (got ${ms / 1000} s)`);
  }
  return ms / 1000;
}

/** The task size in force, when it is known at synth time. */
function taskSize(service: RedundantService): { cpu?: number; memoryMiB?: number } {
  const cfn = service.taskDefinition.node.defaultChild as { cpu?: string; memory?: string };
  const known = (value?: string) => (value !== undefined && !Token.isUnresolved(value) ? Number(value) : undefined);
  return { cpu: known(cfn.cpu), memoryMiB: known(cfn.memory) };
}

/** Applies the defaults once and refuses what would fail at deploy time, naming the prop and the fix. */
export function resolveMonitoringProps(props: PrometheusMonitoringProps): ResolvedMonitoringProps {
  const metricsPath = props.metricsPath ?? '/metrics';
  if (!Token.isUnresolved(metricsPath) && !/^\/[^\s?#]*$/.test(metricsPath)) {
    throw new Error(`${NAME}: metricsPath must be an absolute path such as '/metrics', without spaces, query or fragment (got '${metricsPath}')`);
  }
  const errorRatePercent = props.errorRatePercent ?? 5;
  if (!Token.isUnresolved(errorRatePercent) && !(errorRatePercent > 0 && errorRatePercent < 100)) {
    throw new Error(`${NAME}: errorRatePercent must be above 0 and below 100 (got ${errorRatePercent})`);
  }
  const p99Latency = props.p99Latency ?? Duration.seconds(1);
  if (p99Latency.toMilliseconds() <= 0) throw new Error(`${NAME}: p99Latency must be longer than 0 (got ${p99Latency.toMilliseconds()} ms)`);
  const poolWaitingFor = props.poolWaitingFor ?? Duration.minutes(5);
  const targetDownFor = props.targetDownFor ?? Duration.minutes(2);
  wholeSeconds('poolWaitingFor', poolWaitingFor, 0, 86_400);
  wholeSeconds('targetDownFor', targetDownFor, 0, 86_400);
  const scrapeIntervalSeconds = wholeSeconds('scrapeInterval', props.scrapeInterval ?? Duration.seconds(15), 1, 300);

  const collectorCpu = props.collectorCpu ?? 64;
  const collectorMemoryMiB = props.collectorMemoryMiB ?? 128;
  const task = taskSize(props.service);
  if (!Number.isInteger(collectorCpu) || collectorCpu < 0 || (task.cpu !== undefined && collectorCpu > task.cpu / 2)) {
    throw new Error(`${NAME}: collectorCpu must be a whole number of CPU units from 0 to half the task's ${task.cpu ?? ''} (got ${collectorCpu}); give the service more cpu, or the collector less`);
  }
  if (!Number.isInteger(collectorMemoryMiB) || collectorMemoryMiB < 64 || (task.memoryMiB !== undefined && collectorMemoryMiB > task.memoryMiB / 2)) {
    throw new Error(
      `${NAME}: collectorMemoryMiB must be a whole number of MiB from 64 to half the task's ${task.memoryMiB ?? ''} MiB (got ${collectorMemoryMiB}); give the service more memoryLimitMiB, or the collector less`,
    );
  }
  return {
    metricsPath,
    scrapeIntervalSeconds,
    logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    thresholds: { errorRatePercent, p99Latency, poolWaitingFor, targetDownFor },
    collectorCpu,
    collectorMemoryMiB,
  };
}
