/** One metric as CloudWatch stores it: the alarm must name exactly this. */
export interface MetricIdentity {
  readonly namespace: string;
  readonly name: string;
  /** Dimension name → value (a value CloudFormation resolves is its JSON). */
  readonly dimensions: Record<string, string>;
}

export const identityKey = (m: MetricIdentity): string =>
  `${m.namespace} ${m.name} {${Object.keys(m.dimensions)
    .sort()
    .map((k) => `${k}=${m.dimensions[k]}`)
    .join(', ')}}`;

/** A template value as a comparable string: literals as they are, intrinsics as their JSON. */
export const valueKey = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

interface EmfLine {
  readonly _aws?: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
  readonly [key: string]: unknown;
}

/** Every metric in the Embedded Metric Format lines `output` holds (as Powertools prints them). */
export function metricsInEmf(output: string): MetricIdentity[] {
  const metrics: MetricIdentity[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    const emf = JSON.parse(line) as EmfLine;
    for (const directive of emf._aws?.CloudWatchMetrics ?? []) {
      for (const dimensionSet of directive.Dimensions) {
        const dimensions = Object.fromEntries(dimensionSet.map((d) => [d, String(emf[d])]));
        for (const metric of directive.Metrics) metrics.push({ namespace: directive.Namespace, name: metric.Name, dimensions });
      }
    }
  }
  return metrics;
}

/** Runs `run` and returns what it wrote to standard output (where Lambda sends EMF). */
export async function captureStdout(run: () => Promise<unknown>): Promise<string> {
  const written: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  });
  try {
    await run();
  } finally {
    process.stdout.write = original;
  }
  return written.join('');
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** What the template's metric filters publish. */
export function metricFilterMetrics(resources: Resources): MetricIdentity[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::Logs::MetricFilter')
    .flatMap((r) =>
      (r.Properties?.MetricTransformations as Array<{ MetricNamespace: unknown; MetricName: string; Dimensions?: Array<{ Key: string; Value: string }> }>).map((t) => ({
        namespace: valueKey(t.MetricNamespace),
        name: t.MetricName,
        dimensions: Object.fromEntries((t.Dimensions ?? []).map((d) => [d.Key, d.Value])),
      })),
    );
}

interface AlarmMetric {
  Namespace?: unknown;
  MetricName?: string;
  Dimensions?: Array<{ Name: string; Value: unknown }>;
}

const fromAlarmMetric = (m: AlarmMetric): MetricIdentity => ({
  namespace: valueKey(m.Namespace),
  name: m.MetricName ?? '',
  dimensions: Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, valueKey(d.Value)])),
});

/** Every metric an alarm of the template reads, by alarm logical id. */
export function alarmMetrics(resources: Resources): Array<{ alarm: string; metric: MetricIdentity }> {
  const found: Array<{ alarm: string; metric: MetricIdentity }> = [];
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::CloudWatch::Alarm' || !r.Properties) continue;
    const p = r.Properties as AlarmMetric & { Metrics?: Array<{ MetricStat?: { Metric: AlarmMetric } }> };
    if (p.MetricName) found.push({ alarm: id, metric: fromAlarmMetric(p) });
    for (const query of p.Metrics ?? []) if (query.MetricStat) found.push({ alarm: id, metric: fromAlarmMetric(query.MetricStat.Metric) });
  }
  return found;
}

/**
 * Every metric a dashboard of the template graphs. The body is a `Fn::Join` of JSON text and
 * intrinsics; each intrinsic stands in the text as a placeholder, and comes back as its JSON.
 */
export function dashboardMetrics(resources: Resources): MetricIdentity[] {
  const found: MetricIdentity[] = [];
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::CloudWatch::Dashboard') continue;
    const body = r.Properties?.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
    const tokens: unknown[] = [];
    const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : `@@${tokens.push(part) - 1}@@`)).join('');
    const resolve = (s: unknown): string => {
      const match = /^@@(\d+)@@$/.exec(String(s));
      return match ? valueKey(tokens[Number(match[1])]) : String(s);
    };
    const parsed = JSON.parse(text) as { widgets: Array<{ properties?: { metrics?: unknown[][] } }> };
    for (const widget of parsed.widgets) {
      for (const row of widget.properties?.metrics ?? []) {
        // A metric row: [namespace, name, dim1, value1, ..., {options}]; "." repeats the row above.
        const plain = row.filter((x) => typeof x !== 'object');
        if (plain.length < 2 || plain[0] === '.') continue;
        const dimensions: Record<string, string> = {};
        for (let i = 2; i + 1 < plain.length; i += 2) dimensions[String(plain[i])] = resolve(plain[i + 1]);
        found.push({ namespace: resolve(plain[0]), name: String(plain[1]), dimensions });
      }
    }
  }
  return found;
}
