import type { CfnTemplate } from '../../../lib/plan';

/** A small stack with one of everything the estimate prices, and the settings the recovery figures read. */
export function fixtureTemplate(overrides: { intervalSeconds?: number; datapoints?: number } = {}): CfnTemplate {
  return {
    Resources: {
      Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { Cpu: '1024', Memory: '2048', RuntimePlatform: { CpuArchitecture: 'ARM64' } } },
      Service: {
        Type: 'AWS::ECS::Service',
        Properties: {
          DesiredCount: 3,
          TaskDefinition: { Ref: 'Task' },
          DeploymentConfiguration: {
            BakeTimeInMinutes: 10,
            Alarms: { AlarmNames: ['app-fast', 'app-slow'], Enable: true, Rollback: true },
            LifecycleHooks: [{ LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }],
          },
        },
      },
      Targets: {
        Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
        Properties: { HealthCheckIntervalSeconds: overrides.intervalSeconds ?? 10, HealthCheckTimeoutSeconds: 4, UnhealthyThresholdCount: 2 },
      },
      Alb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internet-facing' } },
      Nat: { Type: 'AWS::EC2::NatGateway' },
      Eip: { Type: 'AWS::EC2::EIP' },
      Endpoint: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Interface', SubnetIds: ['a', 'b'] } },
      Gateway: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Gateway' } },
      Db: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceClass: 'db.t4g.small', MultiAZ: true, AllocatedStorage: 50, BackupRetentionPeriod: 7, PreferredBackupWindow: '02:00-03:00' } },
      Key: { Type: 'AWS::KMS::Key' },
      Secret: { Type: 'AWS::SecretsManager::Secret' },
      Fast: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'app-fast', Period: 10, EvaluationPeriods: 1, DatapointsToAlarm: overrides.datapoints ?? 1 } },
      Slow: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'app-slow', Metrics: [{ Id: 'm', MetricStat: { Period: 60 } }, { Id: 'e', Expression: 'm' }], EvaluationPeriods: 5, DatapointsToAlarm: 3 } },
      Paging: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'app-cpu', Period: 300, EvaluationPeriods: 1 } },
      Composite: { Type: 'AWS::CloudWatch::CompositeAlarm' },
      Board: { Type: 'AWS::CloudWatch::Dashboard' },
      Machine: { Type: 'AWS::StepFunctions::StateMachine' },
      Drill: { Type: 'AWS::Scheduler::Schedule', Properties: { ScheduleExpression: 'cron(0 6 ? * MON,THU *)', ScheduleExpressionTimezone: 'Europe/Berlin', Target: { Arn: { Ref: 'Machine' } } } },
    },
  };
}
