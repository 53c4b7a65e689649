import { Duration } from 'aws-cdk-lib';
import { APP_METRICS } from './app-metrics';
import type { YamlValue } from './yaml';

/** When the alerting rules fire. */
export interface PrometheusAlertThresholds {
  /** 5xx answers, percent of requests over 5 minutes, held for 5 minutes. */
  readonly errorRatePercent: number;
  /** p99 latency of any route over 5 minutes, held for 10 minutes. */
  readonly p99Latency: Duration;
  /** How long requests must wait for a database connection before the pool counts as saturated. */
  readonly poolWaitingFor: Duration;
  /** How long a scrape target must fail before it counts as down. */
  readonly targetDownFor: Duration;
}

const { requests, requestDuration, poolConnections, poolMax } = APP_METRICS;

/** Recording rules: the series the alerts and the dashboard read, computed once per evaluation. */
export const RECORDING_RULES = {
  requestRate: 'job:http_requests:rate5m',
  requestRateByRoute: 'job_route:http_requests:rate5m',
  errorRatio: 'job:http_requests_5xx:ratio_rate5m',
  p50ByRoute: 'job_route:http_request_duration_seconds:p50_5m',
  p95ByRoute: 'job_route:http_request_duration_seconds:p95_5m',
  p99ByRoute: 'job_route:http_request_duration_seconds:p99_5m',
  poolUtilization: 'instance:db_pool_utilization:ratio',
} as const;

const quantile = (q: number) => `histogram_quantile(${q}, sum by (job, route, le) (rate(${requestDuration}_bucket[5m])))`;

/** A Prometheus duration (`90s`) for a whole number of seconds. */
export const promDuration = (duration: Duration): string => `${duration.toSeconds()}s`;

/**
 * The rule file of the workspace: recording rules (request rate, 5xx ratio, latency quantiles by
 * route, pool utilization) and alerts (5xx ratio, p99 latency, pool saturation, target down, no
 * metrics at all), in Prometheus's rule file format
 * (https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-ruler-rulesfile.html).
 */
export function prometheusRules(thresholds: PrometheusAlertThresholds): YamlValue {
  const r = RECORDING_RULES;
  const alert = (name: string, expr: string, forDuration: Duration, severity: string, summary: string, description: string): YamlValue => ({
    alert: name,
    expr,
    for: promDuration(forDuration),
    labels: { severity },
    annotations: { summary, description },
  });
  return {
    groups: [
      {
        name: 'shipshape-service-recording',
        rules: [
          { record: r.requestRate, expr: `sum by (job) (rate(${requests}[5m]))` },
          { record: r.requestRateByRoute, expr: `sum by (job, route) (rate(${requests}[5m]))` },
          { record: r.errorRatio, expr: `sum by (job) (rate(${requests}{status_code=~"5.."}[5m])) / sum by (job) (rate(${requests}[5m]))` },
          { record: r.p50ByRoute, expr: quantile(0.5) },
          { record: r.p95ByRoute, expr: quantile(0.95) },
          { record: r.p99ByRoute, expr: quantile(0.99) },
          { record: r.poolUtilization, expr: `max by (job, instance) (${poolConnections}{state="total"}) / max by (job, instance) (${poolMax})` },
        ],
      },
      {
        name: 'shipshape-service-alerts',
        rules: [
          alert(
            'ShipshapeHighErrorRate',
            `${r.errorRatio} > ${thresholds.errorRatePercent / 100}`,
            Duration.minutes(5),
            'critical',
            '5xx answers above {{ $value | humanizePercentage }} of requests',
            `More than ${thresholds.errorRatePercent}% of the requests of {{ $labels.job }} ended in a 5xx answer for 5 minutes.`,
          ),
          alert(
            'ShipshapeHighLatencyP99',
            `${r.p99ByRoute} > ${thresholds.p99Latency.toMilliseconds() / 1000}`,
            Duration.minutes(10),
            'warning',
            'p99 latency of {{ $labels.route }} is {{ $value | humanizeDuration }}',
            `The slowest 1% of requests to {{ $labels.route }} took more than ${thresholds.p99Latency.toMilliseconds() / 1000} s for 10 minutes.`,
          ),
          alert(
            'ShipshapeDbPoolSaturated',
            `max by (job, instance) (${poolConnections}{state="waiting"}) > 0`,
            thresholds.poolWaitingFor,
            'warning',
            'Requests wait for a database connection on {{ $labels.instance }}',
            `Requests on task {{ $labels.instance }} waited for a database connection for ${promDuration(thresholds.poolWaitingFor)}: the pool is too small for the load, or queries hold connections too long.`,
          ),
          alert(
            'ShipshapeTargetDown',
            'up == 0',
            thresholds.targetDownFor,
            'critical',
            'Metrics of task {{ $labels.instance }} cannot be scraped',
            `The collector of task {{ $labels.instance }} could not read the application's metrics for ${promDuration(thresholds.targetDownFor)}: the application is not answering on its metrics port.`,
          ),
          alert(
            'ShipshapeMetricsAbsent',
            'absent(up)',
            Duration.minutes(10),
            'warning',
            'No task has reported metrics for 10 minutes',
            'No collector has written a scrape result for 10 minutes: no task is running, or every collector has stopped (the application keeps serving without it).',
          ),
        ],
      },
    ],
  };
}

/** Options of the alert manager's single route. */
export interface AlertRouting {
  readonly topicArn: string;
  readonly region: string;
}

/**
 * The alert manager definition: every alert, grouped by name and job, goes to one SNS topic
 * (https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-alertmanager-receiver-config.html:
 * `sigv4` must name the region; `api_url` and `http_config` are refused). The subject is set
 * because the default one, made of every label, can exceed what SNS accepts.
 */
export function alertManagerConfig(routing: AlertRouting): YamlValue {
  return {
    route: {
      receiver: 'sns',
      group_by: ['alertname', 'job'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
    },
    receivers: [
      {
        name: 'sns',
        sns_configs: [
          {
            topic_arn: routing.topicArn,
            sigv4: { region: routing.region },
            subject: '[{{ .Status | toUpper }}] {{ .GroupLabels.alertname }}',
            attributes: { source: 'shipshape-prometheus' },
          },
        ],
      },
    ],
  };
}
