import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { describeRollback, detectionSeconds, reactionSeconds, RollbackPath, secondsUntilRolledBack, ServiceAlarms, type ServiceAlarmsProps } from '../../../constructs/alarms';
import { ProductionNetwork } from '../../../constructs/network';
import { RedundantService, type RedundantServiceProps } from '../../../constructs/service';

const FAST = new cloudwatch.Metric({ namespace: 'shop', metricName: 'Errors', period: Duration.seconds(10) });

function build(alarmProps: Partial<ServiceAlarmsProps> = {}, serviceProps: Partial<RedundantServiceProps> = {}) {
  const stack = new Stack(undefined, 'App');
  const network = new ProductionNetwork(stack, 'Network');
  const service = new RedundantService(stack, 'Service', {
    vpc: network.vpc,
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable-alpine'),
    ...serviceProps,
  });
  const alarms = new ServiceAlarms(stack, 'Alarms', { service, emails: ['oncall@example.com'], ...alarmProps });
  return { alarms, template: Template.fromStack(stack) };
}

describe('rollback timing (assumed lags)', () => {
  test('one breaching minute: 60 s of data + 60 s publish + 60 s evaluation = 180 s; back on the old revision 40 s later', () => {
    expect(detectionSeconds({ periodSeconds: 60, datapointsToAlarm: 1 })).toBe(180);
    expect(secondsUntilRolledBack({ periodSeconds: 60, datapointsToAlarm: 1 })).toBe(220);
  });

  test('3 of 5 minutes (the paging alarms) take 300 s to detect', () => {
    expect(detectionSeconds({ periodSeconds: 60, datapointsToAlarm: 3 })).toBe(300);
  });

  test('a high-resolution alarm over one 10 s period detects in 30 s, rolls back in 70 s', () => {
    expect(detectionSeconds({ periodSeconds: 10, datapointsToAlarm: 1 })).toBe(30);
    expect(secondsUntilRolledBack({ periodSeconds: 10, datapointsToAlarm: 1 })).toBe(70);
  });

  test('halving the period of the release gate halves its data wait', () => {
    expect(detectionSeconds({ periodSeconds: 30, datapointsToAlarm: 1 })).toBe(50);
  });
});

describe('rollback timing on the alarm event (AlarmRollback)', () => {
  test('from ALARM: 5 s event delivery + 5 s function (cold start and two ECS calls) + 10 s ECS rollback and flip = 20 s, against ECS polling\'s 40 s', () => {
    expect(reactionSeconds(RollbackPath.ALARM_EVENT)).toBe(20);
    expect(reactionSeconds(RollbackPath.ECS_POLLING)).toBe(40);
  });

  test('the 10 s metric: 30 s to ALARM + 20 s = 50 s, within the 60 s target', () => {
    expect(secondsUntilRolledBack({ periodSeconds: 10, datapointsToAlarm: 1 }, RollbackPath.ALARM_EVENT)).toBe(50);
    expect(describeRollback({ periodSeconds: 10, datapointsToAlarm: 1 }, RollbackPath.ALARM_EVENT)).toBe(
      '1 x 10 s + 10 s publish + 10 s evaluation + 5 s event delivery + 5 s rollback function + 10 s ECS rollback and flip = 50 s; target 60 s: met, 10 s spare',
    );
  });

  test('the one-minute load balancer metric: 180 s to ALARM + 20 s = 200 s, the 3 minute target missed by 20 s (detection alone takes all of it)', () => {
    expect(secondsUntilRolledBack({ periodSeconds: 60, datapointsToAlarm: 1 }, RollbackPath.ALARM_EVENT)).toBe(200);
    expect(describeRollback({ periodSeconds: 60, datapointsToAlarm: 1 }, RollbackPath.ALARM_EVENT)).toMatch(/= 200 s; target 180 s: missed by 20 s$/);
  });

  test('ECS polling alone stays as it was: 70 s and 220 s, both targets missed', () => {
    expect(describeRollback({ periodSeconds: 10, datapointsToAlarm: 1 }, RollbackPath.ECS_POLLING)).toMatch(/30 s ECS alarm polling \+ 10 s ECS rollback and flip = 70 s; target 60 s: missed by 10 s$/);
    expect(describeRollback({ periodSeconds: 60, datapointsToAlarm: 1 }, RollbackPath.ECS_POLLING)).toMatch(/= 220 s; target 180 s: missed by 40 s$/);
  });
});

describe('ServiceAlarms: the deployment rolls back on the user-facing alarms', () => {
  test('the release gate: 5xx of load balancer and tasks over 5% in one minute; it stops releases, it does not page', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'App-release-5xx-rate',
      Threshold: 5,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([Match.objectLike({ Expression: '100 * (FILL(elb, 0) + FILL(target, 0)) / requests' })]),
    });
    const [gate] = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'App-release-5xx-rate' } })) as Array<{
      Properties: Record<string, unknown>;
    }>;
    expect(gate.Properties.AlarmActions).toBeUndefined();
  });

  test('ECS gets the gate and the paging 5xx and latency alarms by name, with rollback on', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Alarms: { AlarmNames: ['App-release-5xx-rate', 'App-alb-5xx-rate', 'App-target-5xx-rate', 'App-p99-latency'], Enable: true, Rollback: true },
      }),
    });
  });

  test('a high-resolution application metric adds a 10 s alarm to the rollback triggers', () => {
    const { alarms, template } = build({ fastErrorMetric: FAST });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'App-release-fast-errors',
      Namespace: 'shop',
      MetricName: 'Errors',
      Period: 10,
      Statistic: 'Sum',
      Threshold: 5,
      EvaluationPeriods: 1,
    });
    expect(alarms.rollbackTriggers()).toContainEqual({ alarmName: 'App-release-fast-errors', detectionSeconds: 30 });
  });

  test('the slowest trigger sets the minimum bake: the paging 5xx alarms need 300 s', () => {
    const { alarms } = build();
    expect(Math.max(...alarms.rollbackTriggers().map((t) => t.detectionSeconds))).toBe(300);
    expect(() => build({}, { bakeTime: Duration.minutes(4) })).toThrow(/bakeTime \(240 s\) is shorter than the detection time of rollback alarm App-alb-5xx-rate, App-target-5xx-rate, App-p99-latency \(300 s\)/);
  });

  test('rollbackAlarms() are the alarms rollbackTriggers() names', () => {
    const { alarms } = build({ fastErrorMetric: FAST });
    expect(alarms.rollbackAlarms().map((a) => a.node.id)).toEqual(['release-5xx-rate', 'release-fast-errors', 'alb-5xx-rate', 'target-5xx-rate', 'p99-latency']);
    expect(alarms.rollbackTriggers().map((t) => t.alarmName)).toEqual(alarms.rollbackAlarms().map((a) => `App-${a.node.id}`));
  });

  test('rollBackDeployments: false leaves the service without deployment alarms', () => {
    const { template } = build({ rollBackDeployments: false });
    const [svc] = Object.values(template.findResources('AWS::ECS::Service')) as Array<{ Properties: { DeploymentConfiguration: Record<string, unknown> } }>;
    expect(svc.Properties.DeploymentConfiguration.Alarms).toEqual({ AlarmNames: [], Enable: false, Rollback: false });
  });
});
