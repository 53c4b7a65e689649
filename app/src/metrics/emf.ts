/**
 * The fast error metric, in CloudWatch embedded metric format: one JSON log line that CloudWatch
 * Logs turns into a metric. Its spec:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 *
 * The kit's release alarm reads exactly this namespace, metric name and single dimension; a
 * contract test checks both ends.
 */
export const FAST_ERROR_METRIC = {
  namespace: 'ShipshapeApp',
  metricName: 'ServerErrors',
  dimensionName: 'service',
  /** High resolution: the alarm evaluates 10-second periods. */
  storageResolution: 1,
  unit: 'Count',
  /** How often each task emits the metric, a 0 included, so the alarm always has data. */
  intervalSeconds: 10,
} as const;

/** The EMF document for `count` 5xx responses at `timestamp` (ms since the epoch). */
export function serverErrorsEmf(count: number, service: string, timestamp: number): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: FAST_ERROR_METRIC.namespace,
          Dimensions: [[FAST_ERROR_METRIC.dimensionName]],
          Metrics: [{ Name: FAST_ERROR_METRIC.metricName, Unit: FAST_ERROR_METRIC.unit, StorageResolution: FAST_ERROR_METRIC.storageResolution }],
        },
      ],
    },
    [FAST_ERROR_METRIC.dimensionName]: service,
    [FAST_ERROR_METRIC.metricName]: count,
  };
}

/**
 * Counts 5xx responses and writes their count as one EMF line every interval, a 0 too.
 * The awslogs driver sends stdout to CloudWatch Logs, which extracts the metric:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Generation_PutLogEvents.html
 */
export class ServerErrorsEmitter {
  private count = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly service: string,
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
    private readonly now: () => number = Date.now,
  ) {}

  record(statusCode: number): void {
    if (statusCode >= 500) this.count += 1;
  }

  start(): void {
    this.timer = setInterval(() => this.flush(), FAST_ERROR_METRIC.intervalSeconds * 1_000);
    this.timer.unref();
  }

  /** Stops the interval and writes what was counted since the last line. */
  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }

  flush(): void {
    const count = this.count;
    this.count = 0;
    this.write(`${JSON.stringify(serverErrorsEmf(count, this.service, this.now()))}\n`);
  }
}
