import { RDSClient, DescribeDBClustersCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ServiceAlarms, ServiceDashboard } from '../../constructs/alarms';
import { DatabaseEngine, ResilientDatabase } from '../../constructs/database';
import { ProductionNetwork } from '../../constructs/network';
import { RestoreDrill } from '../../constructs/restore-drill';
import { handler as drillStep } from '../../constructs/restore-drill/runtime/drill-steps.lambda';
import { handler as sweep } from '../../constructs/restore-drill/runtime/sweeper.lambda';
import type { DrillState } from '../../constructs/restore-drill/runtime/drill-state';
import { RedundantService } from '../../constructs/service';
import { FAST_ERROR_METRIC, ServerErrorsEmitter } from '../../app/src/metrics/emf';
import { drillConfig } from '../constructs/restore-drill/runtime/drill-runner';
import { synthReferenceApp } from '../helpers/reference-app';
import { alarmMetrics, captureStdout, dashboardMetrics, identityKey, type MetricIdentity, metricFilterMetrics, metricsInEmf } from './metrics';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

const CONTEXT = { awsRequestId: 'req-1', functionName: 'fn', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:fn' } as Context;

/** The drill's `Database` label as the template hands it to the Lambdas: the sweeper's env and the state machine's input. */
function drillLabels(resources: Resources): { sweeper: string; drill: string } {
  const sweeper = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function' && JSON.stringify(r.Properties).includes('DATABASE_LABEL'));
  const machine = Object.values(resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine' && JSON.stringify(r.Properties).includes('databaseLabel'));
  const label = (sweeper?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables.DATABASE_LABEL;
  const inInput = /\\"databaseLabel\\":\\"([^\\"]+)\\"/.exec(JSON.stringify(machine?.Properties?.DefinitionString));
  if (typeof label !== 'string' || !inInput) throw new Error('the drill label is not a literal in the template');
  return { sweeper: label, drill: inInput[1] };
}

/**
 * Runs the drill's real handlers (Powertools included) against mocked AWS, and returns the
 * metrics their EMF output declares: a succeeded drill with checks, a failed one, the sweeper.
 */
async function metricsTheDrillEmits(labels: { sweeper: string; drill: string }): Promise<MetricIdentity[]> {
  const s3 = mockClient(S3Client).on(PutObjectCommand).resolves({});
  const sns = mockClient(SNSClient).on(PublishCommand).resolves({});
  const rds = mockClient(RDSClient);
  rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
  rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
  const sfn = mockClient(SFNClient).on(ListExecutionsCommand).resolves({ executions: [] });
  process.env.DATABASE_LABEL = labels.sweeper;
  process.env.STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:111111111111:stateMachine:drill';
  try {
    const config = drillConfig({ databaseLabel: labels.drill });
    const validated: DrillState = {
      config,
      executionName: 'Weekly-1',
      startedAt: '2026-11-23T06:00:00Z',
      source: { kind: 'snapshot', snapshotIdentifier: 's', targetTime: '2026-11-23T05:00:00Z' },
      validation: { passed: true, checks: [{ name: 'connect', passed: true, message: 'ok' }], newestWrite: '2026-11-23T04:59:00Z', validatedAt: '2026-11-23T06:30:00Z' },
    };
    const failed: DrillState = { config, executionName: 'Weekly-2', startedAt: '2026-11-23T06:00:00Z', error: { Error: 'RestoreFailed', Cause: 'no' } };
    const output = await captureStdout(async () => {
      await drillStep({ step: 'report', state: validated }, CONTEXT);
      await drillStep({ step: 'report', state: failed }, CONTEXT);
      await sweep({}, CONTEXT);
    });
    return metricsInEmf(output);
  } finally {
    for (const mock of [s3, sns, rds, sfn]) mock.restore();
    delete process.env.DATABASE_LABEL;
    delete process.env.STATE_MACHINE_ARN;
  }
}

/** The metrics on namespaces the kit owns that alarms and dashboards read, with what really produces them. */
async function checkContract(resources: Resources) {
  const emitted = [...(await metricsTheDrillEmits(drillLabels(resources))), ...metricFilterMetrics(resources)];
  const known = new Set(emitted.map(identityKey));
  const owned = (m: MetricIdentity) => m.namespace.startsWith('shipshape/');
  const read = [...alarmMetrics(resources).map((a) => ({ reader: `alarm ${a.alarm}`, metric: a.metric })), ...dashboardMetrics(resources).map((metric) => ({ reader: 'dashboard', metric }))];
  const ownedReads = read.filter((r) => owned(r.metric));
  return { emitted, ownedReads, unmatched: ownedReads.filter((r) => !known.has(identityKey(r.metric))).map((r) => `${r.reader}: ${identityKey(r.metric)}`) };
}

describe('metrics contract: every alarm and dashboard metric on a shipshape namespace is one the kit really emits', () => {
  test('the reference app (the drill and both stacks)', async () => {
    const app = synthReferenceApp();
    const resources = { ...(app.statefulTemplate.toJSON().Resources as Resources), ...(app.statelessTemplate.toJSON().Resources as Resources) };
    const { emitted, ownedReads, unmatched } = await checkContract(resources);
    expect(unmatched).toEqual([]);
    // The contract reads real data: drill metrics, the sweeper's and the metric filters' are all there.
    const names = new Set(emitted.map((m) => m.name));
    for (const name of ['DrillSucceeded', 'DrillFailed', 'RtoSeconds', 'RpoSeconds', 'CheckPassed', 'DaysSinceLastSuccess', 'ApplicationErrors', 'Deadlocks']) expect(names).toContain(name);
    expect(ownedReads.map((r) => r.metric.name)).toEqual(expect.arrayContaining(['DaysSinceLastSuccess', 'DrillFailed', 'RtoSeconds', 'ApplicationErrors', 'Deadlocks']));
  });

  test('a composed stack: the constructs used directly, RDS engine, the drill\'s own alarms', async () => {
    const stack = new Stack(undefined, 'Composed');
    const network = new ProductionNetwork(stack, 'Net', { maxAzs: 3 });
    const database = new ResilientDatabase(stack, 'Orders', { vpc: network.vpc, vpcSubnets: network.dataSubnets, functionSubnets: network.appSubnets, engine: DatabaseEngine.RDS_MULTI_AZ });
    const drill = new RestoreDrill(stack, 'OrdersDrill', { database, maxDaysWithoutSuccess: 3 });
    const service = new RedundantService(stack, 'Api', {
      vpc: network.vpc,
      taskSubnets: network.appSubnets,
      loadBalancerSubnets: network.publicSubnets,
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable-alpine'),
      containerPort: 9000,
    });
    const alarms = new ServiceAlarms(stack, 'Alarms', { service, database, drill, emails: ['oncall@example.com'] });
    new ServiceDashboard(stack, 'Board', { service, database, drill, alarms });
    const { unmatched, ownedReads } = await checkContract(Template.fromStack(stack).toJSON().Resources as Resources);
    expect(unmatched).toEqual([]);
    expect(ownedReads.length).toBeGreaterThan(5);
  });
});

describe('metrics contract: the reference application and the alarm that rolls its releases back', () => {
  test('the ServerErrors line the application writes is the metric release-fast-errors reads, at the resolution its 10-second period needs', () => {
    const app = synthReferenceApp();
    const resources = app.statelessTemplate.toJSON().Resources as Resources;
    // The application as it runs: its emitter counts answers and writes one EMF line (the service name comes from SHIPSHAPE_SERVICE_NAME).
    const environment = Object.values(resources)
      .filter((r) => r.Type === 'AWS::ECS::TaskDefinition')
      .flatMap((r) => r.Properties?.ContainerDefinitions as Array<{ Name: string; Environment?: Array<{ Name: string; Value: string }> }>)
      .find((c) => c.Name === 'app')?.Environment;
    const serviceName = environment?.find((e) => e.Name === 'SHIPSHAPE_SERVICE_NAME')?.Value;
    expect(serviceName).toBe('shipshape');
    const lines: string[] = [];
    const emitter = new ServerErrorsEmitter(serviceName!, (line) => lines.push(line), () => 1_700_000_000_000);
    for (const status of [200, 500, 503, 404]) emitter.record(status);
    emitter.flush();
    const [emitted] = metricsInEmf(lines.join(''));
    const emf = JSON.parse(lines[0]) as { ServerErrors: number; _aws: { CloudWatchMetrics: Array<{ Metrics: Array<{ StorageResolution?: number }> }> } };
    expect(emf.ServerErrors).toBe(2);

    const fastErrors = alarmMetrics(resources).filter((a) => (resources[a.alarm].Properties as { AlarmName?: string }).AlarmName?.endsWith('-release-fast-errors'));
    expect(fastErrors).toHaveLength(1);
    expect(identityKey(fastErrors[0].metric)).toBe(identityKey(emitted));
    // A period under 60 s reads only high-resolution data: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#high-resolution-alarms
    expect((resources[fastErrors[0].alarm].Properties as { Period: number }).Period).toBe(10);
    expect(emf._aws.CloudWatchMetrics[0].Metrics[0].StorageResolution).toBe(1);
    expect(FAST_ERROR_METRIC.intervalSeconds).toBeLessThanOrEqual(10);
  });
});

