import { Match } from 'aws-cdk-lib/assertions';
import { NatDevice } from '../../../constructs/network';
import { resolveConfig } from '../../../lib/config';
import { problemsOf } from '../../helpers/config-problems';
import { synthReferenceApp } from '../../helpers/reference-app';

const ONCALL = 'oncall@shipshape-tests.dev';


describe('cost levers in the configuration', () => {
  test('production egresses through a NAT gateway in each AZ, budget through one t4g.nano NAT instance', () => {
    expect(resolveConfig({ owner: ONCALL }).network).toEqual(expect.objectContaining({ natStrategy: 'per-az', natDevice: NatDevice.GATEWAY }));
    expect(resolveConfig({ profile: 'budget' }).network).toEqual(expect.objectContaining({ natStrategy: 'single', natDevice: NatDevice.INSTANCE, natInstanceType: 't4g.nano' }));
  });

  test('NAT gateways stay one setting away', () => {
    expect(resolveConfig({ profile: 'budget', network: { natDevice: 'gateway' } }).network.natDevice).toBe(NatDevice.GATEWAY);
  });

  test('the multi-arch reference image runs on Graviton; a configured image stays x86_64 unless it says arm64', () => {
    expect(resolveConfig({ profile: 'budget' }).service.cpuArchitecture).toBe('arm64');
    expect(resolveConfig({ profile: 'budget', service: { image: { uri: 'registry.example.com/shop:1' } } }).service.cpuArchitecture).toBe('x86_64');
    expect(resolveConfig({ profile: 'budget', service: { image: { uri: 'registry.example.com/shop:1' }, cpuArchitecture: 'arm64' } }).service.cpuArchitecture).toBe('arm64');
  });

  test('budget runs its database without a standby and keeps application logs 30 days; production keeps both', () => {
    expect(resolveConfig({ profile: 'budget' })).toEqual(expect.objectContaining({ database: expect.objectContaining({ multiAz: false }), service: expect.objectContaining({ logRetentionDays: 30 }) }));
    expect(resolveConfig({ owner: ONCALL, database: { engine: 'rds-multi-az' } })).toEqual(expect.objectContaining({ database: expect.objectContaining({ multiAz: true }), service: expect.objectContaining({ logRetentionDays: 365 }) }));
  });

  test('production refuses RDS without its standby unless the risk is accepted by name', () => {
    expect(problemsOf({ owner: ONCALL, database: { engine: 'rds-multi-az', multiAz: false } })).toMatch(/acceptedRisks\.no-database-standby: .*a lost AZ means restoring a backup/);
  });

  test.each([
    ['multiAz on Aurora', { profile: 'budget', database: { engine: 'aurora-serverless-v2', multiAz: false } }, /shipshape\.database\.multiAz/],
    ['an unknown NAT device', { profile: 'budget', network: { natDevice: 'router' } }, /shipshape\.network\.natDevice: must be one of gateway \| instance/],
    ['an instance type that is not one', { profile: 'budget', network: { natInstanceType: 'nano' } }, /shipshape\.network\.natInstanceType: must be an EC2 instance type such as t4g\.nano/],
    [
      'an instance type for NAT gateways',
      { profile: 'budget', network: { natDevice: 'gateway', natInstanceType: 't4g.small' } },
      /shipshape\.network\.natInstanceType: applies to NAT instances only; set network\.natDevice to "instance" or drop natInstanceType \(got natDevice "gateway"\)/,
    ],
  ])('%s is refused with the path and the fix', (_name, raw, message) => {
    expect(problemsOf(raw)).toMatch(message);
  });
});

describe('the budget reference app with its levers', () => {
  let app: ReturnType<typeof synthReferenceApp>;
  beforeAll(() => {
    app = synthReferenceApp({ 'shipshape.profile': 'budget' });
  }, 240_000);

  test('one NAT instance, no NAT gateway, and recovery alarms on it', () => {
    app.statefulTemplate.resourceCountIs('AWS::EC2::NatGateway', 0);
    app.statefulTemplate.resourceCountIs('AWS::EC2::Instance', 1);
    app.statefulTemplate.hasResourceProperties('AWS::EC2::Instance', { InstanceType: 't4g.nano', SourceDestCheck: false });
    app.statefulTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'StatusCheckFailed_System', AlarmActions: Match.anyValue() });
  });

  test('the on-call hears of the NAT instance alarms: a rule on their state changes notifies the alarm topic', () => {
    const alarms = Object.keys(app.statefulTemplate.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'AWS/EC2' } }));
    expect(alarms).toHaveLength(2);
    const rules = app.statelessTemplate.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'] } } });
    const rule = (Object.values(rules) as Array<{ Properties: { EventPattern: { resources: unknown[] }; Targets: Array<{ Arn: unknown }> } }>).find((r) =>
      JSON.stringify(r.Properties.EventPattern.resources).includes('NatInstance'),
    ) as { Properties: { EventPattern: { resources: unknown[] }; Targets: Array<{ Arn: unknown }> } };
    expect(rule.Properties.EventPattern.resources).toHaveLength(2);
    expect(JSON.stringify(rule.Properties.EventPattern.resources)).toMatch(/NatInstance1SystemCheck.*NatInstance1InstanceCheck/);
    expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { Ref: expect.stringMatching(/^AlarmsNotificationsTopic/) } })]);
  });

  test('the database has no standby and the application log is kept 30 days', () => {
    app.statefulTemplate.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: false, DBInstanceClass: 'db.t4g.micro' });
    app.statelessTemplate.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30, KmsKeyId: Match.anyValue() });
  });

  test('the service runs on Graviton', () => {
    app.statelessTemplate.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' } });
  });
});
