import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { load } from './yaml-parser';
import { alertManagerConfig, APP_SERIES, collectorConfig, prometheusRules, RECORDING_RULES, SCRAPE_UP } from '../../../constructs/observability';
import { toYaml, type YamlValue } from '../../../constructs/observability/yaml';

/*
 * The names the dashboard and the rules read, against the names the application exposes (the
 * pinned list), the series the scrape adds (`up`) and the recording rules' own.
 */

const DASHBOARD = path.join(__dirname, '..', '..', '..', 'docs', 'grafana', 'shipshape-service.json');

/** PromQL functions, aggregations and keywords: every other identifier of an expression is a series name. */
const PROMQL_WORDS = new Set(['sum', 'max', 'min', 'avg', 'count', 'rate', 'irate', 'increase', 'histogram_quantile', 'absent', 'and', 'or', 'unless', 'bool', 'offset']);
/** Labels the series carry: the application's, the histogram's bucket bound, and the scrape's. */
const LABELS = new Set(['method', 'route', 'status_code', 'state', 'le', 'job', 'instance']);

/** The series names an expression reads (label values, matchers, ranges, grouping lists and Grafana variables left out). */
function seriesNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\$\w+/g, '')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '');
  return [...stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)].map((m) => m[0]).filter((word) => !PROMQL_WORDS.has(word));
}

/** The labels an expression groups or matches by. */
function labelsUsed(expr: string): string[] {
  const grouping = [...expr.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap((m) => m[1].split(',').map((l) => l.trim()));
  const matchers = [...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...m[1].matchAll(/([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((x) => x[1]));
  return [...grouping, ...matchers].filter((l) => l !== '');
}

interface Target { readonly expr: string; readonly datasource?: { readonly type: string; readonly uid: string } }
interface Panel { readonly title: string; readonly type: string; readonly datasource?: { readonly type: string; readonly uid: string }; readonly targets?: Target[] }
interface Dashboard { readonly panels: Panel[]; readonly schemaVersion: number; readonly templating: { readonly list: Array<{ name: string; type: string; query: string }> } }

const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as Dashboard;
const dashboardExprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr })));

const rules = prometheusRules({ errorRatePercent: 5, p99Latency: Duration.seconds(1), poolWaitingFor: Duration.minutes(5), targetDownFor: Duration.minutes(2) }) as {
  groups: Array<{ name: string; rules: Array<{ record?: string; alert?: string; expr: string }> }>;
};
const ruleExprs = rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `rule ${r.record ?? r.alert}`, expr: r.expr })));
const recorded = rules.groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : [])));
const KNOWN = new Set([...APP_SERIES, SCRAPE_UP, ...recorded]);

describe('PromQL reads only names that exist', () => {
  test('the extraction finds the series and leaves out labels, values, ranges and functions', () => {
    expect(seriesNames('sum by (job, route) (rate(http_requests_total{status_code=~"5.."}[$__rate_interval])) / ignoring(state) db_pool_max')).toEqual(['http_requests_total', 'db_pool_max']);
    expect(seriesNames('histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m]))) > 0.5')).toEqual(['x_bucket']);
    expect(labelsUsed('sum by (job, route) (rate(m{status_code=~"5..", state="waiting"}[5m]))')).toEqual(['job', 'route', 'status_code', 'state']);
  });

  test('every dashboard query reads the application\'s pinned metrics, up or a recording rule, by labels they carry', () => {
    expect(dashboardExprs.length).toBeGreaterThan(10);
    const unknown = dashboardExprs.flatMap(({ where, expr }) => seriesNames(expr).filter((n) => !KNOWN.has(n)).map((n) => `${where}: ${n}`));
    const badLabels = dashboardExprs.flatMap(({ where, expr }) => labelsUsed(expr).filter((l) => !LABELS.has(l)).map((l) => `${where}: ${l}`));
    expect([...unknown, ...badLabels]).toEqual([]);
  });

  test('every recording and alerting rule reads the pinned metrics, up or a recording rule, by labels they carry', () => {
    const unknown = ruleExprs.flatMap(({ where, expr }) => seriesNames(expr).filter((n) => !KNOWN.has(n)).map((n) => `${where}: ${n}`));
    const badLabels = ruleExprs.flatMap(({ where, expr }) => labelsUsed(expr).filter((l) => !LABELS.has(l)).map((l) => `${where}: ${l}`));
    expect([...unknown, ...badLabels]).toEqual([]);
    expect(recorded.sort()).toEqual(Object.values(RECORDING_RULES).sort());
  });

  test('the rules cover request rate, 5xx ratio, p99 latency by route, pool saturation and target down', () => {
    const all = ruleExprs.map((r) => `${r.where}: ${r.expr}`).join('\n');
    expect(all).toMatch(/rule job:http_requests:rate5m: sum by \(job\) \(rate\(http_requests_total\[5m\]\)\)/);
    expect(all).toMatch(/rule ShipshapeHighErrorRate: job:http_requests_5xx:ratio_rate5m > 0.05/);
    expect(all).toMatch(/rule ShipshapeHighLatencyP99: job_route:http_request_duration_seconds:p99_5m > 1/);
    expect(all).toMatch(/rule ShipshapeDbPoolSaturated: .*db_pool_connections\{state="waiting"\}\) > 0/);
    expect(all).toMatch(/rule ShipshapeTargetDown: up == 0/);
  });
});

describe('the Grafana dashboard', () => {
  test('imports into Grafana 9 or later with a Prometheus datasource variable that every panel and query uses', () => {
    expect(dashboard.schemaVersion).toBeLessThanOrEqual(36);
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    for (const panel of dashboard.panels) {
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const target of panel.targets ?? []) expect(target.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
  });

  test('has panels for request rate, error rate, latency p50/p95/p99, pool usage and up', () => {
    const titles = dashboard.panels.map((p) => p.title).join('\n');
    for (const title of [/Request rate/, /Error rate \(5xx ratio\)/, /Latency p50 \/ p95 \/ p99/, /Database pool connections/, /up/]) expect(titles).toMatch(title);
    const exprs = dashboardExprs.map((e) => e.expr).join('\n');
    for (const q of ['histogram_quantile(0.5,', 'histogram_quantile(0.95,', 'histogram_quantile(0.99,']) expect(exprs).toContain(q);
  });
});

describe('the YAML the workspace and the collector get', () => {
  test('the rule file, the alert manager definition and the collector configuration parse back to the objects they were made from', () => {
    const alerts = alertManagerConfig({ topicArn: 'arn:aws:sns:eu-west-1:111122223333:pager', region: 'eu-west-1' });
    const collector = collectorConfig({ port: 8080, metricsPath: '/metrics', scrapeIntervalSeconds: 15, remoteWriteUrl: 'https://example/api/v1/remote_write', region: 'eu-west-1', memoryLimitMiB: 128 });
    for (const value of [rules as unknown as YamlValue, alerts, collector]) expect(load(toYaml(value))).toEqual(value);
  });

  test('strings YAML would read as something else stay strings', () => {
    const tricky: YamlValue = {
      plain: ['yes', 'no', 'null', '~', '1', '0x1F', '1e3', '', ' padded ', '#comment', 'a: b', '- item', '{{ $value }}', '"quoted"', 'back\\slash', 'line\nbreak', 'tab\t', 'é✓'],
      'key with: colon': { nested: [{ a: 1, b: true }, [], {}] },
      empty: [],
    };
    expect(load(toYaml(tricky))).toEqual(tricky);
  });
});
