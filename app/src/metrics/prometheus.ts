import { type Pool } from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Request and pool metrics for GET /metrics, plus prom-client's default process metrics. */
export class AppMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status_code'>;
  private readonly errors: Counter<'method' | 'route'>;
  private readonly duration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(pool: Pool) {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by route template, method and status code.',
      labelNames: ['method', 'route', 'status_code'],
      registers: [this.registry],
    });
    this.errors = new Counter({
      name: 'http_server_errors_total',
      help: 'HTTP requests answered with a 5xx status.',
      labelNames: ['method', 'route'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from the request arriving to the response being sent.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    // One gauge with a state label (not three gauges): "total / max" and "waiting > 0" are then
    // plain PromQL over one name.
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool: connections held (state="total"), of which idle (state="idle"), and queries waiting for a connection (state="waiting").',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
    new Gauge({
      name: 'db_pool_max',
      help: 'The pool size this task computed at startup.',
      registers: [this.registry],
      collect() {
        this.set(pool.options.max);
      },
    });
  }

  /** `route` is the route template (`/v1/notes/:id`), never the raw URL, to bound the label values. */
  observe(method: string, route: string, statusCode: number, seconds: number): void {
    const labels = { method, route, status_code: String(statusCode) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
    if (statusCode >= 500) this.errors.inc({ method, route });
  }
}
