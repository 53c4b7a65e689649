import {
  DescribeServiceDeploymentsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  type ServiceDeploymentBrief,
  type ServiceDeploymentStatus,
  StopServiceDeploymentCommand,
} from '@aws-sdk/client-ecs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { type AlarmStateChangeEvent, alarmChangedAt, rollBackOnAlarm } from '../../../../constructs/alarms/runtime/alarm-rollback';
import { handler } from '../../../../constructs/alarms/runtime/alarm-rollback.lambda';

const SERVICE = 'arn:aws:ecs:eu-west-1:111122223333:service/shop-cluster/shop-web';
const CLUSTER = 'arn:aws:ecs:eu-west-1:111122223333:cluster/shop-cluster';
const DEPLOYMENT = 'arn:aws:ecs:eu-west-1:111122223333:service-deployment/shop-cluster/shop-web/dep-2';
const TARGET = { serviceArn: SERVICE, cluster: CLUSTER };
const CREATED = new Date('2026-12-01T10:00:00Z');

const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({});

/** The event CloudWatch sends when `name` goes to `state` at `at` (the documented sample's shape). */
function alarmEvent(name = 'shop-release-fast-errors', state = 'ALARM', at = '2026-12-01T10:03:10.120+0000'): AlarmStateChangeEvent {
  return {
    id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    source: 'aws.cloudwatch',
    'detail-type': 'CloudWatch Alarm State Change',
    time: '2026-12-01T10:03:10Z',
    resources: [`arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${name}`],
    detail: { alarmName: name, state: { value: state, timestamp: at }, previousState: { value: 'OK' } },
  };
}

function brief(status: ServiceDeploymentStatus, overrides: Partial<ServiceDeploymentBrief> = {}): ServiceDeploymentBrief {
  return { serviceDeploymentArn: DEPLOYMENT, serviceArn: SERVICE, clusterArn: CLUSTER, status, createdAt: CREATED, ...overrides };
}

/** ECS with one deployment whose status moves to ROLLBACK_REQUESTED on the first accepted stop; later stops are refused. */
function deploymentThatStops(initial: ServiceDeploymentStatus = 'IN_PROGRESS'): { stops: () => number } {
  let status: ServiceDeploymentStatus = initial;
  let accepted = 0;
  ecsMock.on(ListServiceDeploymentsCommand).callsFake(() => ({ serviceDeployments: [brief(status)] }));
  ecsMock.on(DescribeServiceDeploymentsCommand).callsFake(() => ({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status }] }));
  ecsMock.on(StopServiceDeploymentCommand).callsFake(() => {
    if (status !== 'IN_PROGRESS' && status !== 'PENDING') {
      throw Object.assign(new Error('The service deployment is not in a state that can be stopped'), { name: 'ConflictException' });
    }
    status = 'ROLLBACK_REQUESTED';
    accepted += 1;
    return { serviceDeploymentArn: DEPLOYMENT };
  });
  return { stops: () => accepted };
}

beforeEach(() => ecsMock.reset());

describe('rollBackOnAlarm: a rollback alarm went to ALARM', () => {
  test('lists the service\'s running deployments, then stops the one in progress with ROLLBACK, in that order', async () => {
    deploymentThatStops();
    expect(await rollBackOnAlarm(ecs, TARGET, alarmEvent())).toEqual({ action: 'stopped', alarm: 'shop-release-fast-errors', deployment: DEPLOYMENT, status: 'IN_PROGRESS' });
    expect(ecsMock.calls().map((c) => c.args[0].constructor.name)).toEqual(['ListServiceDeploymentsCommand', 'StopServiceDeploymentCommand']);
    expect(ecsMock).toHaveReceivedCommandWith(ListServiceDeploymentsCommand, {
      cluster: CLUSTER,
      service: SERVICE,
      status: ['IN_PROGRESS', 'PENDING', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED'],
    });
    expect(ecsMock).toHaveReceivedCommandWith(StopServiceDeploymentCommand, { serviceDeploymentArn: DEPLOYMENT, stopType: 'ROLLBACK' });
  });

  test('a pending deployment is stopped too (ECS documents the stop from PENDING)', async () => {
    deploymentThatStops('PENDING');
    expect(await rollBackOnAlarm(ecs, TARGET, alarmEvent())).toMatchObject({ action: 'stopped', status: 'PENDING' });
  });

  test('no deployment in progress: nothing is stopped', async () => {
    ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    expect(await rollBackOnAlarm(ecs, TARGET, alarmEvent())).toMatchObject({ action: 'none', reason: 'no-deployment' });
    expect(ecsMock).not.toHaveReceivedCommand(StopServiceDeploymentCommand);
  });

  test.each(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED'] as const)('a deployment already %s (ECS\'s own alarm watching, the CLI): nothing is stopped', async (status) => {
    ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [brief(status)] });
    expect(await rollBackOnAlarm(ecs, TARGET, alarmEvent())).toEqual({ action: 'none', alarm: 'shop-release-fast-errors', reason: 'already-rolling-back', deployment: DEPLOYMENT });
    expect(ecsMock).not.toHaveReceivedCommand(StopServiceDeploymentCommand);
  });

  test('two alarms one after the other: one stop', async () => {
    const ecsState = deploymentThatStops();
    const first = await rollBackOnAlarm(ecs, TARGET, alarmEvent('shop-release-fast-errors'));
    const second = await rollBackOnAlarm(ecs, TARGET, alarmEvent('shop-release-5xx-rate'));
    expect([first.action, second.action]).toEqual(['stopped', 'none']);
    expect(second).toMatchObject({ reason: 'already-rolling-back' });
    expect(ecsMock).toHaveReceivedCommandTimes(StopServiceDeploymentCommand, 1);
    expect(ecsState.stops()).toBe(1);
  });

  test('two alarms at the same moment: both may ask, ECS accepts one stop, the other finds the deployment rolling back', async () => {
    const ecsState = deploymentThatStops();
    const outcomes = await Promise.all([rollBackOnAlarm(ecs, TARGET, alarmEvent('shop-release-fast-errors')), rollBackOnAlarm(ecs, TARGET, alarmEvent('shop-release-5xx-rate'))]);
    expect(outcomes.map((o) => (o.action === 'none' ? o.reason : o.action)).sort()).toEqual(['already-rolling-back', 'stopped']);
    expect(ecsState.stops()).toBe(1);
  });

  test('the same event delivered twice (a retry): one stop', async () => {
    const ecsState = deploymentThatStops();
    await rollBackOnAlarm(ecs, TARGET, alarmEvent());
    expect(await rollBackOnAlarm(ecs, TARGET, alarmEvent())).toMatchObject({ action: 'none', reason: 'already-rolling-back' });
    expect(ecsState.stops()).toBe(1);
  });

  test('a deployment of another service in the answer is ignored', async () => {
    const other = 'arn:aws:ecs:eu-west-1:111122223333:service/shop-cluster/shop-admin';
    ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [brief('IN_PROGRESS', { serviceArn: other, serviceDeploymentArn: `${other.replace(':service/', ':service-deployment/')}/dep-9` })] });
    expect(await rollBackOnAlarm(ecs, TARGET, alarmEvent())).toMatchObject({ action: 'none', reason: 'no-deployment' });
    expect(ecsMock).not.toHaveReceivedCommand(StopServiceDeploymentCommand);
  });

  test('an alarm that went to ALARM before the deployment was created (a late retry) stops nothing, as ECS ignores it', async () => {
    deploymentThatStops();
    expect(await rollBackOnAlarm(ecs, TARGET, alarmEvent('shop-release-fast-errors', 'ALARM', '2026-12-01T09:59:59.000+0000'))).toMatchObject({
      action: 'none',
      reason: 'alarm-before-deployment',
    });
    expect(ecsMock).not.toHaveReceivedCommand(StopServiceDeploymentCommand);
  });

  test('an alarm back to OK (or any state but ALARM) makes no call at all', async () => {
    expect(await rollBackOnAlarm(ecs, TARGET, alarmEvent('shop-release-fast-errors', 'OK'))).toMatchObject({ action: 'none', reason: 'not-in-alarm' });
    expect(ecsMock.calls()).toHaveLength(0);
  });

  test('the alarm time is the state timestamp CloudWatch writes (+0000 offset), else the event time', () => {
    expect(alarmChangedAt(alarmEvent())?.toISOString()).toBe('2026-12-01T10:03:10.120Z');
    expect(alarmChangedAt({ time: '2026-12-01T10:03:10Z', detail: { state: { value: 'ALARM' } } })?.toISOString()).toBe('2026-12-01T10:03:10.000Z');
  });
});

describe('rollBackOnAlarm: ECS errors', () => {
  test('a failed list is thrown (the invocation is retried)', async () => {
    ecsMock.on(ListServiceDeploymentsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(rollBackOnAlarm(ecs, TARGET, alarmEvent())).rejects.toThrow(/Rate exceeded/);
    expect(ecsMock).not.toHaveReceivedCommand(StopServiceDeploymentCommand);
  });

  test('a refused stop of a deployment still in progress is thrown, after ECS is asked how the deployment stands', async () => {
    ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [brief('IN_PROGRESS')] });
    ecsMock.on(StopServiceDeploymentCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    ecsMock.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'IN_PROGRESS' }] });
    await expect(rollBackOnAlarm(ecs, TARGET, alarmEvent())).rejects.toThrow(/not authorized/);
    expect(ecsMock).toHaveReceivedCommandWith(DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [DEPLOYMENT] });
  });

  test('a refused stop of a deployment that meanwhile finished SUCCESSFUL is reported, not retried: the new revision is live', async () => {
    ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [brief('IN_PROGRESS')] });
    ecsMock.on(StopServiceDeploymentCommand).rejects(Object.assign(new Error('not stoppable'), { name: 'ConflictException' }));
    ecsMock.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'SUCCESSFUL' }] });
    expect(await rollBackOnAlarm(ecs, TARGET, alarmEvent())).toMatchObject({ action: 'none', reason: 'finished-before-stop' });
  });

  test('a refused stop of a deployment that meanwhile ended rolled back is fine', async () => {
    ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [brief('IN_PROGRESS')] });
    ecsMock.on(StopServiceDeploymentCommand).rejects(Object.assign(new Error('not stoppable'), { name: 'ConflictException' }));
    ecsMock.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'ROLLBACK_SUCCESSFUL' }] });
    expect(await rollBackOnAlarm(ecs, TARGET, alarmEvent())).toMatchObject({ action: 'none', reason: 'already-rolling-back' });
  });
});

describe('the handler', () => {
  const CONTEXT = { awsRequestId: 'req-1', functionName: 'rollback', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:rollback' } as Context;
  let printed: string[];
  beforeEach(() => {
    Object.assign(process.env, { SERVICE_ARN: SERVICE, CLUSTER_ARN: CLUSTER });
    printed = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  test('stops the service the environment names, and prints a DeploymentsStopped metric (EMF)', async () => {
    deploymentThatStops();
    expect(await handler(alarmEvent(), CONTEXT)).toMatchObject({ action: 'stopped', deployment: DEPLOYMENT });
    expect(ecsMock).toHaveReceivedCommandWith(ListServiceDeploymentsCommand, { cluster: CLUSTER, service: SERVICE });
    const emf = printed.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line._aws !== undefined);
    expect(emf).toMatchObject({ DeploymentsStopped: 1, service: 'shipshape-alarm-rollback' });
  });

  test('throws what ECS throws, so Lambda retries the invocation and counts an error', async () => {
    ecsMock.on(ListServiceDeploymentsCommand).rejects(new Error('ServerException'));
    await expect(handler(alarmEvent(), CONTEXT)).rejects.toThrow('ServerException');
  });
});
