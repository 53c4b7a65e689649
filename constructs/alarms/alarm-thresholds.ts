/** Every alarm `ServiceAlarms` can create, by name (the names are part of the alarm names). */
export const ALARM_NAMES = [
  'alb-5xx-rate',
  'target-5xx-rate',
  'p99-latency',
  'no-healthy-targets',
  'unhealthy-targets',
  'rejected-connections',
  'tasks-below-desired',
  'service-cpu',
  'service-memory',
  'application-errors',
  'db-cpu',
  'db-freeable-memory',
  'db-connections',
  'db-replica-lag',
  'db-free-storage',
  'db-volume',
  'db-deadlocks',
  'drill-failed',
  'drill-stale',
  'rotation-failed',
  'release-5xx-rate',
  'release-fast-errors',
] as const;
export type AlarmName = (typeof ALARM_NAMES)[number];

/** The thresholds that make sense to tune; see the README's alarm table for what each means. */
export interface AlarmThresholds {
  /** ALB-generated 5xx, percent of requests. @default 1 */
  readonly alb5xxRatePercent: number;
  /** 5xx from the tasks, percent of requests. @default 1 */
  readonly target5xxRatePercent: number;
  /** p99 target response time, seconds. @default 1 */
  readonly p99LatencySeconds: number;
  /** Average CPU of the service, percent. @default 80 */
  readonly serviceCpuPercent: number;
  /** Average memory of the service, percent. @default 85 */
  readonly serviceMemoryPercent: number;
  /** Application ERROR log lines per 5 minutes. @default 10 */
  readonly applicationErrorsPer5Minutes: number;
  /** Database CPU, percent. @default 80 */
  readonly dbCpuPercent: number;
  /** Database freeable memory floor, MiB. @default 128 */
  readonly dbFreeableMemoryMiB: number;
  /** Connections, percent of the estimated max_connections. @default 80 */
  readonly dbConnectionsPercent: number;
  /** Aurora reader lag, milliseconds. @default 1000 */
  readonly dbReplicaLagMs: number;
  /** Free (RDS) or local (Aurora) storage floor, GiB. @default 2 */
  readonly dbFreeStorageGiB: number;
  /** Aurora volume size that deserves a look (cost), GiB. @default 200 */
  readonly dbVolumeGiB: number;
  /** 5xx (load balancer and tasks) in one minute that roll a deployment back, percent of requests. @default 5 */
  readonly release5xxRatePercent: number;
  /** Errors in 10 s of the high-resolution application metric that roll a deployment back. @default 5 */
  readonly fastErrorsPer10Seconds: number;
}

export const DEFAULT_THRESHOLDS: AlarmThresholds = {
  alb5xxRatePercent: 1,
  target5xxRatePercent: 1,
  p99LatencySeconds: 1,
  serviceCpuPercent: 80,
  serviceMemoryPercent: 85,
  applicationErrorsPer5Minutes: 10,
  dbCpuPercent: 80,
  dbFreeableMemoryMiB: 128,
  dbConnectionsPercent: 80,
  dbReplicaLagMs: 1000,
  dbFreeStorageGiB: 2,
  dbVolumeGiB: 200,
  release5xxRatePercent: 5,
  fastErrorsPer10Seconds: 5,
};

const PERCENT: (keyof AlarmThresholds)[] = [
  'alb5xxRatePercent',
  'target5xxRatePercent',
  'serviceCpuPercent',
  'serviceMemoryPercent',
  'dbCpuPercent',
  'dbConnectionsPercent',
  'release5xxRatePercent',
];
const RANGES: Partial<Record<keyof AlarmThresholds, [number, number]>> = {
  p99LatencySeconds: [0.01, 60],
  applicationErrorsPer5Minutes: [1, 1_000_000],
  dbFreeableMemoryMiB: [16, 1_048_576],
  dbReplicaLagMs: [10, 3_600_000],
  dbFreeStorageGiB: [1, 65_536],
  dbVolumeGiB: [1, 131_072],
  fastErrorsPer10Seconds: [1, 1_000_000],
};

/** The defaults with `overrides` applied, each checked against its allowed range. */
export function resolveThresholds(overrides: Partial<AlarmThresholds> = {}): AlarmThresholds {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...overrides };
  for (const [key, value] of Object.entries(thresholds) as [keyof AlarmThresholds, number][]) {
    const [min, max] = PERCENT.includes(key) ? [0.01, 100] : (RANGES[key] as [number, number]);
    if (!(typeof value === 'number' && value >= min && value <= max)) {
      throw new Error(`ServiceAlarms.thresholds.${key}: must be from ${min} to ${max} (got ${String(value)})`);
    }
  }
  return thresholds;
}
