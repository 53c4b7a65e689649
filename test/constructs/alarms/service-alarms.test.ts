import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { type AlarmName, ServiceAlarms, type ServiceAlarmsProps, ServiceDashboard } from '../../../constructs/alarms';
import { ResilientDatabase } from '../../../constructs/database';
import { ProductionNetwork } from '../../../constructs/network';
import { RestoreDrill } from '../../../constructs/restore-drill';
import { RotationFailureSignal } from '../../../constructs/secrets';
import { RedundantService } from '../../../constructs/service';

function build(props: Partial<ServiceAlarmsProps> = {}) {
  const stack = new Stack(undefined, 'App');
  const network = new ProductionNetwork(stack, 'Network');
  const service = new RedundantService(stack, 'Service', {
    vpc: network.vpc,
    taskSubnets: network.appSubnets,
    loadBalancerSubnets: network.publicSubnets,
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable-alpine'),
  });
  const database = new ResilientDatabase(stack, 'Database', { vpc: network.vpc, vpcSubnets: network.dataSubnets, functionSubnets: network.appSubnets });
  const drill = new RestoreDrill(stack, 'Drill', { database, alarms: false });
  const rotationFailures = new RotationFailureSignal(stack, 'Rotation', { secrets: [database.masterSecret] });
  const alarms = new ServiceAlarms(stack, 'Alarms', { service, database, drill, rotationFailures, emails: ['oncall@example.com'], webhooks: ['https://hooks.example.com/x'], ...props });
  const dashboard = new ServiceDashboard(stack, 'Dashboard', { service, database, drill, alarms });
  return { stack, service, database, drill, alarms, dashboard, template: Template.fromStack(stack) };
}

const { stack, template, alarms, service, database, drill } = build();

/** [name, threshold, comparison, period (s), evaluation periods, datapoints, missing data] */
const EXPECTED: Array<[AlarmName, number, string, number, number, number, string]> = [
  ['alb-5xx-rate', 1, 'GreaterThanThreshold', 60, 5, 3, 'notBreaching'],
  ['target-5xx-rate', 1, 'GreaterThanThreshold', 60, 5, 3, 'notBreaching'],
  ['p99-latency', 1, 'GreaterThanThreshold', 60, 5, 3, 'notBreaching'],
  ['no-healthy-targets', 1, 'LessThanThreshold', 60, 2, 2, 'breaching'],
  ['unhealthy-targets', 1, 'GreaterThanOrEqualToThreshold', 60, 5, 5, 'notBreaching'],
  ['rejected-connections', 1, 'GreaterThanOrEqualToThreshold', 60, 1, 1, 'notBreaching'],
  ['tasks-below-desired', 0, 'GreaterThanThreshold', 60, 5, 5, 'breaching'],
  ['service-cpu', 80, 'GreaterThanThreshold', 60, 10, 10, 'notBreaching'],
  ['service-memory', 85, 'GreaterThanThreshold', 60, 10, 10, 'notBreaching'],
  ['application-errors', 10, 'GreaterThanOrEqualToThreshold', 300, 1, 1, 'notBreaching'],
  ['db-cpu', 80, 'GreaterThanThreshold', 60, 5, 5, 'breaching'],
  ['db-freeable-memory', 128 * 1024 * 1024, 'LessThanThreshold', 60, 5, 5, 'notBreaching'],
  ['db-connections', 720, 'GreaterThanThreshold', 60, 5, 5, 'notBreaching'],
  ['db-replica-lag', 1000, 'GreaterThanThreshold', 60, 5, 5, 'notBreaching'],
  ['db-free-storage', 2 * 1024 ** 3, 'LessThanThreshold', 60, 5, 5, 'notBreaching'],
  ['db-volume', 200 * 1024 ** 3, 'GreaterThanThreshold', 3600, 1, 1, 'notBreaching'],
  ['db-deadlocks', 1, 'GreaterThanOrEqualToThreshold', 300, 1, 1, 'notBreaching'],
  ['drill-failed', 1, 'GreaterThanOrEqualToThreshold', 3600, 1, 1, 'notBreaching'],
  ['drill-stale', 8, 'GreaterThanThreshold', 3600, 3, 3, 'breaching'],
  ['rotation-failed', 1, 'GreaterThanOrEqualToThreshold', 300, 1, 1, 'notBreaching'],
];

function alarmResource(name: AlarmName): Record<string, unknown> {
  const found = template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: `App-${name}` } });
  const [resource] = Object.values(found) as Array<{ Properties: Record<string, unknown> }>;
  return resource.Properties;
}

function periodOf(props: Record<string, unknown>): number {
  if (typeof props.Period === 'number') return props.Period;
  const metrics = props.Metrics as Array<{ ReturnData?: boolean; Period?: number; MetricStat?: { Period: number } }>;
  // A math alarm: its metrics share one period.
  const periods = new Set(metrics.map((m) => m.Period ?? m.MetricStat?.Period).filter((p) => p !== undefined));
  expect(periods.size).toBe(1);
  return [...periods][0];
}

describe('every alarm: threshold, period, evaluation, missing data, both actions, explicit name', () => {
  test('exactly these alarms exist, plus the release gate (see rollback.test.ts)', () => {
    expect(Object.keys(alarms.alarms).sort()).toEqual([...EXPECTED.map(([name]) => name), 'release-5xx-rate'].sort());
  });

  test.each(EXPECTED)('%s', (name, threshold, comparison, period, evaluationPeriods, datapoints, missing) => {
    const props = alarmResource(name);
    expect(props).toMatchObject({ Threshold: threshold, ComparisonOperator: comparison, EvaluationPeriods: evaluationPeriods, TreatMissingData: missing });
    expect(props.DatapointsToAlarm ?? evaluationPeriods).toBe(datapoints);
    expect(periodOf(props)).toBe(period);
    const topic = { Ref: expect.stringMatching(/^AlarmsNotificationsTopic/) };
    expect(props.AlarmActions).toEqual([topic]);
    expect(props.OKActions).toEqual([topic]);
    expect(props.AlarmDescription).toMatch(/Look first at/);
  });
});

test('the 5xx alarms are rates over requests, not raw counts', () => {
  const metrics = alarmResource('target-5xx-rate').Metrics as Array<{ Expression?: string; Id: string; MetricStat?: { Metric: { MetricName: string } } }>;
  expect(metrics.find((m) => m.Expression)?.Expression).toBe('100 * FILL(errors, 0) / requests');
  expect(metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat?.Metric.MetricName).sort()).toEqual(['HTTPCode_Target_5XX_Count', 'RequestCount']);
});

test('"service unhealthy" is a composite of the user-facing alarms, notifying ALARM and OK', () => {
  template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
    AlarmName: 'App-service-unhealthy',
    AlarmRule: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsNotificationsTopic') }],
    OKActions: [{ Ref: Match.stringLikeRegexp('^AlarmsNotificationsTopic') }],
  });
  const [composite] = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm')) as Array<{ Properties: { AlarmRule: unknown } }>;
  const rule = JSON.stringify(composite.Properties.AlarmRule);
  for (const name of ['alb-5xx-rate', 'target-5xx-rate', 'p99-latency', 'no-healthy-targets']) {
    expect(rule).toContain(`ALARM(\\"`);
    expect(rule).toMatch(new RegExp(`Alarms${name.replace(/-/g, '')}`, 'i'));
  }
  expect(rule).not.toMatch(/dbcpu/i);
});

test('ECS deployment failures and rollbacks of this service go to the topic', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: { source: ['aws.ecs'], 'detail-type': ['ECS Deployment State Change'], resources: [{ Ref: Match.stringLikeRegexp('^Service[0-9A-F]{8}$') }], detail: { eventName: ['SERVICE_DEPLOYMENT_FAILED'] } },
    Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^AlarmsNotificationsTopic') } })],
  });
});

test('the topic is KMS-encrypted and TLS-only, with email and HTTPS subscriptions', () => {
  template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlarmsNotificationsKey'), 'Arn'] } });
  template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', Endpoint: 'https://hooks.example.com/x' });
  template.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
});

describe('who may publish to the alarm topic', () => {
  const topicStatements = () => {
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy', { Properties: { Topics: [{ Ref: Match.stringLikeRegexp('^AlarmsNotificationsTopic') }] } })) as Array<{
      Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } };
    }>;
    return policy.Properties.PolicyDocument.Statement;
  };
  const servicePrincipal = (s: Record<string, unknown>) => (s.Principal as { Service?: string } | undefined)?.Service;

  test.each([
    ['cloudwatch.amazonaws.com', ':cloudwatch:', ':alarm:*'],
    ['events.amazonaws.com', ':events:', ':rule/*'],
  ])('%s of this account only: aws:SourceAccount and aws:SourceArn on the topic', (service, arnService, arnResource) => {
    const statements = topicStatements().filter((s) => servicePrincipal(s) === service && s.Effect === 'Allow');
    expect(statements).toHaveLength(1);
    const conditions = JSON.stringify(stack.resolve(statements[0].Condition));
    expect(conditions).toContain('"aws:SourceAccount":{"Ref":"AWS::AccountId"}');
    expect(conditions).toContain(arnService);
    expect(conditions).toContain(arnResource);
  });

  test('no statement admits a service publisher without a source condition', () => {
    for (const statement of topicStatements().filter((s) => servicePrincipal(s) && s.Effect === 'Allow')) expect(statement.Condition).toBeDefined();
  });

  test('the key lets CloudWatch (for this account\'s alarms) and EventBridge encrypt notifications', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': Match.anyValue() } },
          }),
          Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
        ]),
      },
    });
  });

  test('the rotation-failed alarm counts the very rule that notifies the topic (a rule with a target is invoked, so its metric has data)', () => {
    const rules = template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { detail: { eventName: ['RotationFailed'] } } } });
    const [ruleId] = Object.keys(rules);
    expect((rules[ruleId] as { Properties: { Targets: unknown[] } }).Properties.Targets).toHaveLength(1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'App-rotation-failed',
      Namespace: 'AWS/Events',
      MetricName: 'TriggeredRules',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: ruleId } }],
    });
  });

  test('a failed rotation is routed to the topic with a readable message', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.secretsmanager'], detail: { eventName: ['RotationFailed'] } },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^AlarmsNotificationsTopic') }, InputTransformer: Match.objectLike({ InputPathsMap: Match.objectLike({ 'detail-additionalEventData-SecretId': '$.detail.additionalEventData.SecretId' }) }) })],
    });
  });
});

test('the dashboard shows RED, tasks, database, drills and the alarm status', () => {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Array<{ Properties: { DashboardBody: unknown } }>;
  const body = JSON.stringify(stack.resolve(dashboard.Properties.DashboardBody));
  for (const expected of [
    'Requests per minute', 'RequestCount', '100 * (FILL(elb, 0) + FILL(target, 0)) / requests', 'TargetResponseTime', 'p99', 'p50',
    'RunningTaskCount', 'DesiredTaskCount', 'MemoryUtilization', 'AWS/RDS', 'DatabaseConnections', 'AuroraReplicaLagMaximum',
    'shipshape/RestoreDrill', 'RtoSeconds', 'RpoSeconds', 'DaysSinceLastSuccess', 'AlarmsServiceUnhealthy', 'Alarmsdbcpu',
  ]) {
    expect({ expected, found: body.includes(expected) }).toEqual({ expected, found: true });
  }
});

describe('the alarms use the metrics the other constructs expose (no metric name typed twice)', () => {
  test('the alarms and dashboard sources name no metric or namespace themselves', () => {
    const dir = path.join(__dirname, '../../../constructs/alarms');
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      expect({ file, names: source.match(/metricName:|namespace:|new cloudwatch\.Metric\(/g) }).toEqual({ file, names: null });
    }
  });

  test.each([
    ['db-cpu', () => database.metricCPUUtilization()],
    ['db-deadlocks', () => database.metricDeadlocks()],
    ['application-errors', () => service.metricApplicationErrors()],
    ['drill-stale', () => drill.metricDaysSinceLastSuccess()],
    ['p99-latency', () => service.metricTargetResponseTime()],
  ] as const)('%s is the construct metric', (name, metricOf) => {
    const props = alarmResource(name);
    const metric = metricOf();
    expect({ namespace: stack.resolve(props.Namespace) as unknown, name: props.MetricName }).toEqual({ namespace: stack.resolve(metric.namespace) as unknown, name: metric.metricName });
  });
});

describe('choices and bad input', () => {
  test('disabled alarms are not created; the composite keeps the rest', () => {
    const { alarms: some, template: t } = build({ disabled: ['p99-latency', 'db-volume'] });
    expect(some.alarms['p99-latency']).toBeUndefined();
    t.resourceCountIs('AWS::CloudWatch::Alarm', EXPECTED.length + 1 - 2);
  });

  test('thresholds can be tuned, and the connections alarm follows the database size', () => {
    const { template: t } = build({ thresholds: { p99LatencySeconds: 0.3, dbConnectionsPercent: 50 } });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'App-p99-latency', Threshold: 0.3 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'App-db-connections', Threshold: 450 });
  });

  test.each([
    [{ emails: ['oncall@'] }, /AlarmTopic.emails: "oncall@" is not an email address/],
    [{ webhooks: ['http://hooks.example.com/x'] }, /AlarmTopic.webhooks: "http:\/\/hooks.example.com\/x" must be an https:\/\/ URL/],
    [{ thresholds: { alb5xxRatePercent: 150 } }, /ServiceAlarms.thresholds.alb5xxRatePercent: must be from 0.01 to 100 \(got 150\)/],
    [{ thresholds: { p99LatencySeconds: 0 } }, /thresholds.p99LatencySeconds: must be from 0.01 to 60 \(got 0\)/],
    [{ disabled: ['alb-5xx-rate', 'target-5xx-rate', 'p99-latency', 'no-healthy-targets'] as AlarmName[] }, /keep at least one of/],
  ])('%j', (props, message) => {
    expect(() => build(props as Partial<ServiceAlarmsProps>)).toThrow(message);
  });
});

test('a rotation signal in another stack than the topic is refused with what to do', () => {
  const other = new Stack(undefined, 'Data');
  const db = new ResilientDatabase(other, 'Database', { vpc: new ProductionNetwork(other, 'Network').vpc });
  const signal = new RotationFailureSignal(other, 'Rotation', { secrets: [db.masterSecret] });
  expect(() => build({ rotationFailures: signal })).toThrow(/ServiceAlarms.rotationFailures: create the RotationFailureSignal in the same stack as the alarm topic/);
});
