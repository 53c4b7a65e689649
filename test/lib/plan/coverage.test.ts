import { Duration, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import {
  AppSecrets,
  AppSecretSource,
  DatabaseEngine,
  imageVersionParameter,
  NatStrategy,
  PrometheusMonitoring,
  prometheusRules,
  ProductionNetwork,
  RedundantService,
  ReleasePipeline,
  ResilientDatabase,
  RestoreDrill,
  RotationRollout,
  ServiceAlarms,
  ServiceDashboard,
  VersionedEcrImage,
} from '../../../constructs';
import { DRILL_CHECK_METRIC, DRILL_METRIC_NAMES } from '../../../constructs/restore-drill/runtime/drill-metrics';
import { type DrillReport, drillMetrics } from '../../../constructs/restore-drill/runtime/report';
import { type CfnTemplate, DEFAULT_ASSUMPTIONS, estimateStack, FREE_RESOURCE_TYPES, PRICES, unpricedResourceTypes } from '../../../lib/plan';
import { newApp, synthReferenceApp } from '../../helpers/reference-app';

const SYNTH_TIMEOUT = 240_000;
/** Production refuses alarms that reach a placeholder address. */
const ONCALL = 'oncall@shipshape-tests.dev';
const prices = PRICES['us-east-1'];

/** Per stack: the types nothing prices or lists as free, and the lines that could not be priced. */
function gaps(templates: Record<string, CfnTemplate>): Record<string, { unpriced: string[]; notCounted: string[] }> {
  return Object.fromEntries(
    Object.entries(templates).map(([name, template]) => {
      const lines = estimateStack(template, prices, DEFAULT_ASSUMPTIONS);
      return [name, { unpriced: unpricedResourceTypes(template, lines), notCounted: lines.filter((l) => /not counted/.test(l.basis)).map((l) => `${l.item}: ${l.basis}`) }];
    }),
  );
}

const noGaps = (templates: Record<string, CfnTemplate>) => Object.fromEntries(Object.keys(templates).map((name) => [name, { unpriced: [], notCounted: [] }]));

describe('a resource type the price model does not know is reported', () => {
  test('GIVEN a template with a DynamoDB table WHEN it is estimated THEN the table type is unpriced', () => {
    const template: CfnTemplate = { Resources: { Table: { Type: 'AWS::DynamoDB::Table' }, Role: { Type: 'AWS::IAM::Role' }, Key: { Type: 'AWS::KMS::Key' } } };
    expect(unpricedResourceTypes(template, estimateStack(template, prices, DEFAULT_ASSUMPTIONS))).toEqual(['AWS::DynamoDB::Table']);
  });

  test('every free type carries its reason', () => {
    for (const [type, reason] of Object.entries(FREE_RESOURCE_TYPES)) expect({ type, reason: reason.length > 3 }).toEqual({ type, reason: true });
  });
});

describe.each([
  ['production profile', { 'shipshape.owner': ONCALL }],
  ['budget profile', { 'shipshape.profile': 'budget' }],
  ['production profile with NAT gateways', { 'shipshape.owner': ONCALL, 'shipshape.network': { natDevice: 'gateway' } }],
  ['budget profile with a NAT gateway', { 'shipshape.profile': 'budget', 'shipshape.network': { natDevice: 'gateway' } }],
  [
    'every optional part on',
    {
      'shipshape.owner': ONCALL,
      'shipshape.service': { image: { repository: 'shop', tag: 'v1' } },
      'shipshape.pipeline': {
        source: { kind: 'git', connectionArn: 'arn:aws:codestar-connections:us-east-1:111122223333:connection/abc-123', repository: 'acme/shop', testCommands: ['npm test'] },
        migrationCommand: ['npm', 'run', 'migrate'],
        manualApproval: true,
      },
      'shipshape.secrets': { SESSION_KEY: 'generated', PAYMENT_API_KEY: 'operator' },
      'shipshape.database.proxy': true,
      'shipshape.database.backup': { vaultLock: { minRetentionDays: 7 }, crossRegionCopy: { region: 'us-west-2', vaultName: 'dr' } },
      'shipshape.alarms': { fastErrorMetric: { namespace: 'shop', metricName: 'Errors', dimensions: { service: 'shop' } } },
    },
  ],
])('the price model covers every resource of the reference app (%s)', (_name, context: Record<string, unknown>) => {
  let templates: Record<string, CfnTemplate>;
  beforeAll(() => {
    const app = synthReferenceApp(context);
    templates = { stateful: app.statefulTemplate.toJSON() as CfnTemplate, stateless: app.statelessTemplate.toJSON() as CfnTemplate };
  }, SYNTH_TIMEOUT);

  test('every resource type is priced or listed as free, and every priced line has a price', () => {
    expect(gaps(templates)).toEqual(noGaps(templates));
  });
});

describe('the price model covers every construct composed directly', () => {
  let templates: Record<string, CfnTemplate>;
  beforeAll(() => {
    const app = newApp();
    const data = new Stack(app, 'Data');
    const network = new ProductionNetwork(data, 'Net', { natStrategy: NatStrategy.NONE, maxAzs: 3, flowLogRetention: logs.RetentionDays.ONE_WEEK });
    const database = new ResilientDatabase(data, 'Orders', {
      vpc: network.vpc,
      vpcSubnets: network.dataSubnets,
      functionSubnets: network.appSubnets,
      engine: DatabaseEngine.AURORA_SERVERLESS_V2,
      readers: 2,
      proxy: {},
      applicationUser: { username: 'orders' },
      backupPlan: { dailyRetention: Duration.days(14), crossRegionCopy: { region: 'us-west-2', vaultName: 'dr' } },
    });
    const secrets = new AppSecrets(data, 'Keys', { secrets: [{ name: 'PARTNER_API_KEY', source: AppSecretSource.OPERATOR }, { name: 'SESSION', source: AppSecretSource.GENERATED }] });
    const drill = new RestoreDrill(data, 'Drill', { database, source: { mode: 'point-in-time', minutesAgo: 30 }, heartbeat: true, checks: { sql: [{ name: 'orders', sql: 'select 1', expect: { equals: 1 } }] } });
    const web = new Stack(app, 'Web');
    const repository = new ecr.Repository(web, 'Images');
    const version = imageVersionParameter(web, 'ImageVersion', 'v1', 'image version');
    const service = new RedundantService(web, 'Shop', {
      vpc: network.vpc,
      taskSubnets: network.appSubnets,
      image: new VersionedEcrImage(repository, version.valueAsString),
      desiredCount: 3,
      spotWeight: 1,
      secrets: secrets.containerSecrets(),
      domainName: 'shop.example.com',
      hostedZone: route53.HostedZone.fromHostedZoneAttributes(web, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' }),
    });
    new RotationRollout(web, 'Rollout', { service: service.service, rotatedSecrets: [database.connectionSecret], operatorSecrets: secrets.all, encryptionKey: service.encryptionKey });
    const alarms = new ServiceAlarms(web, 'Alarms', { service, database, drill, emails: ['oncall@example.com'] });
    new ServiceDashboard(web, 'Board', { service, database, drill, alarms });
    new PrometheusMonitoring(web, 'Metrics', { service, topic: alarms.topic });
    new ReleasePipeline(web, 'Release', {
      service,
      repository,
      imageVersion: version,
      source: { kind: 'git', connectionArn: 'arn:aws:codestar-connections:us-east-1:111122223333:connection/abc-123', repository: 'acme/shop' },
      migration: { command: ['npm', 'run', 'migrate'] },
      topic: alarms.topic,
    });
    const assembly = app.synth();
    templates = Object.fromEntries([data, web].map((stack) => [stack.stackName, assembly.getStackByName(stack.stackName).template as CfnTemplate]));
  }, SYNTH_TIMEOUT);

  test('every resource type is priced or listed as free, and every priced line has a price', () => {
    expect(gaps(templates)).toEqual(noGaps(templates));
  });

  test('the Prometheus lines read what PrometheusMonitoring synthesizes: the collector scrapes every 15 s, each rule of its namespace is evaluated', () => {
    const lines = estimateStack(templates.Web, prices, DEFAULT_ASSUMPTIONS);
    // The rule file PrometheusMonitoring writes into the namespace, at its default thresholds.
    const defaults = { errorRatePercent: 5, p99Latency: Duration.seconds(1), poolWaitingFor: Duration.minutes(5), targetDownFor: Duration.minutes(2) };
    const { groups } = prometheusRules(defaults) as unknown as { groups: Array<{ rules: unknown[] }> };
    const rules = groups.reduce((sum, g) => sum + g.rules.length, 0);
    expect(rules).toBeGreaterThan(0);
    expect(lines.find((l) => l.item === 'Managed Prometheus ingestion')?.basis).toMatch(/^MetricsWorkspace\w+: 3 tasks x 550 series x 4 scrapes a minute \(every 15 s, the collector's scrape_interval\)/);
    expect(lines.find((l) => l.item === 'Managed Prometheus rule evaluations')?.basis).toMatch(new RegExp(`^${rules} rules in 1 namespaces`));
  });

  test('the drill declares the metrics it publishes, one per check included, and the estimate counts them', () => {
    const lines = estimateStack(templates.Data, prices, DEFAULT_ASSUMPTIONS);
    // connectivity, freshness (heartbeat), the SQL check; 5 drill metrics; the deadlock filter.
    const line = lines.find((l) => l.item === 'CloudWatch custom metrics');
    expect(line?.basis).toMatch(/^2\.04 metric-months: 1 from metric filters, 1 a StateMachine publishes every hour \(shipshape\/RestoreDrill\), 7 it publishes once a run \(4\.35 runs/);
    // CloudWatch bills a custom metric for the hours it receives data: the sweeper's every hour, the report's once a weekly run.
    expect(line?.metered?.customMetrics?.units).toBeCloseTo(2 + (7 * 4.35) / 730, 2);
  });
});

test('the drill metric names the template declares are the names the drill report publishes', () => {
  const report = { outcome: 'succeeded', rtoSeconds: 60, rpoSeconds: 30, checks: [{ name: 'connectivity', passed: true, detail: '' }] } as unknown as DrillReport;
  const published = new Set(drillMetrics(report).map((m) => m.name));
  expect([...published].filter((name) => name !== DRILL_CHECK_METRIC && !(DRILL_METRIC_NAMES as readonly string[]).includes(name))).toEqual([]);
  expect(published.has(DRILL_CHECK_METRIC)).toBe(true);
  // What the report (once a run) publishes is never the sweeper's hourly metric, which the estimate bills for every hour.
  expect(new Set<string>(published).has('DaysSinceLastSuccess')).toBe(false);
});
