import type { EstimateInput, Lines } from './cost';
import { type CfnResource, type CfnTemplate, numberProp, referencedId, resourcesOf } from './template';

/**
 * AMP keeps samples 150 days unless the workspace configuration sets a retention period
 * (https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-workspace-configuration.html).
 */
const DEFAULT_RETENTION_DAYS = 150;
const DAYS_PER_MONTH = 30.42;
/** AMP counts 1 GB as 2^30 bytes (https://aws.amazon.com/prometheus/pricing/). */
const GB = 2 ** 30;

/** A Prometheus duration (`15s`, `1m`, `1h`) in seconds. */
export function prometheusSeconds(duration: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(duration.trim());
  if (!match) return undefined;
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * factor;
}

/**
 * The scrape interval the template's collector configuration sets (the ADOT collector's
 * `scrape_interval`, wherever the template carries its configuration), else undefined.
 */
function scrapeSeconds(template: CfnTemplate): number | undefined {
  const intervals = [...JSON.stringify(template.Resources).matchAll(/scrape_interval:\s*['"\\]*(\d+(?:\.\d+)?(?:ms|s|m|h))/g)]
    .map((m) => prometheusSeconds(m[1]))
    .filter((s): s is number => s !== undefined);
  return intervals.length > 0 ? Math.min(...intervals) : undefined;
}

/** Tasks whose task definition runs a collector (an ADOT or Prometheus container); every task when none says. */
function scrapedTasks(template: CfnTemplate): number {
  const services = resourcesOf(template, 'AWS::ECS::Service');
  const collects = (service: CfnResource) => {
    const task = template.Resources[referencedId(service.Properties?.TaskDefinition) ?? ''];
    return JSON.stringify(task?.Properties?.ContainerDefinitions ?? []).match(/aws-otel-collector|adot|prometheus/i) !== null;
  };
  const collecting = services.filter(([, s]) => collects(s));
  return (collecting.length > 0 ? collecting : services).reduce((sum, [, s]) => sum + (numberProp(s, 'DesiredCount') ?? 1), 0);
}

/** Rules in a rule groups namespace, each with its group's evaluation interval in seconds. */
export function prometheusRules(namespace: CfnResource): Array<{ readonly intervalSeconds: number }> {
  const data = namespace.Properties?.Data;
  if (typeof data !== 'string') return [];
  const rules: Array<{ intervalSeconds: number }> = [];
  let interval = 60;
  for (const line of data.split('\n')) {
    const group = /^\s*-\s*name:/.test(line);
    const every = /^\s*interval:\s*['"]?([^'"\s]+)/.exec(line);
    if (group) interval = 60;
    if (every) interval = prometheusSeconds(every[1]) ?? 60;
    if (/^\s*-?\s*(alert|record):/.test(line)) rules.push({ intervalSeconds: interval });
  }
  return rules;
}

/**
 * Amazon Managed Service for Prometheus, priced only where a template has a workspace: samples
 * ingested (scraped tasks x series x scrapes a minute), their storage over the workspace's
 * retention, and the samples its rules process at each evaluation. Alert manager definitions have
 * no price of their own; the notifications they send are priced with SNS.
 */
export function prometheusLines(input: EstimateInput, lines: Lines): void {
  const { template, prices, usage } = input;
  const workspaces = resourcesOf(template, 'AWS::APS::Workspace');
  if (workspaces.length === 0) return;
  const fromTemplate = scrapeSeconds(template);
  const interval = fromTemplate ?? usage.prometheusScrapeSeconds;
  const tasks = scrapedTasks(template);
  const samplesPerMinute = tasks * usage.prometheusSeriesPerTask * (60 / interval);
  const samples = samplesPerMinute * 60 * usage.hoursPerMonth;
  const [id, workspace] = workspaces[0];
  const retentionDays = numberProp({ Type: '', Properties: workspace.Properties?.WorkspaceConfiguration as Record<string, unknown> | undefined }, 'RetentionPeriodInDays') ?? DEFAULT_RETENTION_DAYS;
  const storedGb = (samples * usage.prometheusBytesPerSample * (retentionDays / DAYS_PER_MONTH)) / GB;
  lines.add(
    'Managed Prometheus ingestion',
    (samples / 1e7) * prices.ampIngestTenMillionSamples,
    `${id}: ${tasks} tasks x ${usage.prometheusSeriesPerTask} series x ${+(60 / interval).toFixed(2)} scrapes a minute (every ${interval} s, ${fromTemplate === undefined ? 'assumed' : "the collector's scrape_interval"}) = ${Math.round(samplesPerMinute)} samples a minute, ${(samples / 1e6).toFixed(1)} million a month at $${prices.ampIngestTenMillionSamples} per 10 million (the first 2 billion a month)`,
    ['AWS::APS::Workspace'],
  );
  lines.add(
    'Managed Prometheus storage',
    storedGb * prices.ampStorageGbMonth,
    `${storedGb.toFixed(2)} GB kept at steady state: ${usage.prometheusBytesPerSample} bytes a sample x ${retentionDays} days of retention`,
    ['AWS::APS::Workspace'],
  );
  const namespaces = resourcesOf(template, 'AWS::APS::RuleGroupsNamespace');
  if (namespaces.length > 0) {
    const rules = namespaces.flatMap(([, n]) => prometheusRules(n));
    const evaluations = rules.reduce((sum, r) => sum + (usage.hoursPerMonth * 3600) / r.intervalSeconds, 0);
    const processed = evaluations * usage.prometheusSamplesPerRuleEvaluation;
    lines.add(
      'Managed Prometheus rule evaluations',
      (processed / 1e9) * prices.ampQueryBillionSamples,
      `${rules.length} rules in ${namespaces.length} namespaces, ${Math.round(evaluations)} evaluations x ${usage.prometheusSamplesPerRuleEvaluation} samples processed (dashboard and API queries come on top)`,
      ['AWS::APS::RuleGroupsNamespace'],
    );
  }
}
