/**
 * The Prometheus metrics the reference application exposes on `GET /metrics` (prom-client), by
 * name: the rules, the alerts and the Grafana dashboard read these and nothing else (plus `up`,
 * which the scraper adds for each target, and the recording rules' own series).
 */
export const APP_METRICS = {
  /** Counter, labels method, route, status_code. */
  requests: 'http_requests_total',
  /** Histogram in seconds, labels method, route, status_code. */
  requestDuration: 'http_request_duration_seconds',
  /** Gauge, label state: total, idle or waiting. */
  poolConnections: 'db_pool_connections',
  /** Gauge: the pool's size limit. */
  poolMax: 'db_pool_max',
} as const;

/** Every series name the application's metrics produce (a histogram is three series). */
export const APP_SERIES: readonly string[] = [
  APP_METRICS.requests,
  `${APP_METRICS.requestDuration}_bucket`,
  `${APP_METRICS.requestDuration}_sum`,
  `${APP_METRICS.requestDuration}_count`,
  APP_METRICS.poolConnections,
  APP_METRICS.poolMax,
];

/** The series Prometheus itself writes for each scrape target: 1 when the scrape succeeded, else 0. */
export const SCRAPE_UP = 'up';
