import { Match } from 'aws-cdk-lib/assertions';
import { NatDevice } from '../../../constructs/network';
import { ConfigError, resolveConfig } from '../../../lib/config';
import { synthReferenceApp } from '../../helpers/reference-app';

const ONCALL = 'oncall@shipshape-tests.dev';

function problemsOf(raw: unknown): string {
  try {
    resolveConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('cost levers in the configuration', () => {
  test('production egresses through a t4g.micro NAT instance in each AZ, budget through one t4g.nano', () => {
    expect(resolveConfig({ owner: ONCALL }).network).toEqual(expect.objectContaining({ natStrategy: 'per-az', natDevice: NatDevice.INSTANCE, natInstanceType: 't4g.micro' }));
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

  test.each([
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

  test('the service runs on Graviton', () => {
    app.statelessTemplate.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' } });
  });
});
