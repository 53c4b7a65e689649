import type { YamlValue } from './yaml';

/** The scrape job's name: the `job` label of every series the collector writes. */
export const SCRAPE_JOB = 'shipshape-service';

export interface CollectorConfigOptions {
  /** The application's port inside the task (the collector shares the task's network namespace). */
  readonly port: number;
  readonly metricsPath: string;
  readonly scrapeIntervalSeconds: number;
  /** The workspace's remote write URL. */
  readonly remoteWriteUrl: string;
  readonly region: string;
  /** The collector container's memory limit, to start refusing data before it is killed. */
  readonly memoryLimitMiB: number;
}

/**
 * The AWS Distro for OpenTelemetry collector's configuration: scrape the application on
 * 127.0.0.1, name each task's series after its ECS task id, and remote-write them to the workspace
 * signed with SigV4
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/application-metrics-prometheus.html,
 * https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-onboard-ingest-metrics-OpenTelemetry-ECS.html).
 *
 * Every task's collector scrapes `127.0.0.1:<port>` (the task's containers share one network
 * namespace; an address rather than `localhost`, so nothing hangs on name resolution in an image
 * built from scratch), so the `instance` label the scrape gives would be the same in every task
 * and their series would collide: the ECS resource detector reads
 * the task id from the task metadata endpoint, and `service.instance.id` (which the remote write
 * exporter turns into `instance`) takes it.
 */
export function collectorConfig(options: CollectorConfigOptions): YamlValue {
  const interval = `${options.scrapeIntervalSeconds}s`;
  const timeout = `${Math.min(10, options.scrapeIntervalSeconds)}s`;
  return {
    extensions: {
      // The image's /healthcheck probes 127.0.0.1:13133.
      health_check: { endpoint: '127.0.0.1:13133' },
      sigv4auth: { region: options.region, service: 'aps' },
    },
    receivers: {
      prometheus: {
        config: {
          global: { scrape_interval: interval, scrape_timeout: timeout },
          scrape_configs: [
            {
              job_name: SCRAPE_JOB,
              metrics_path: options.metricsPath,
              static_configs: [{ targets: [`127.0.0.1:${options.port}`] }],
            },
          ],
        },
      },
    },
    processors: {
      memory_limiter: {
        check_interval: '1s',
        limit_mib: Math.floor(options.memoryLimitMiB * 0.8),
        spike_limit_mib: Math.floor(options.memoryLimitMiB * 0.2),
      },
      resourcedetection: { detectors: ['ecs'], timeout: '5s', override: false },
      resource: { attributes: [{ key: 'service.instance.id', from_attribute: 'aws.ecs.task.id', action: 'upsert' }] },
    },
    exporters: {
      prometheusremotewrite: {
        endpoint: options.remoteWriteUrl,
        auth: { authenticator: 'sigv4auth' },
      },
    },
    service: {
      extensions: ['health_check', 'sigv4auth'],
      pipelines: {
        metrics: {
          receivers: ['prometheus'],
          processors: ['memory_limiter', 'resourcedetection', 'resource'],
          exporters: ['prometheusremotewrite'],
        },
      },
    },
  };
}
