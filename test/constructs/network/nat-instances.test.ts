import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NatDevice, NatStrategy, ProductionNetwork, type ProductionNetworkProps } from '../../../constructs/network';
import { addPolicyPacks, synthWithPolicyGate } from '../../../lib/policy';
import { cdkJsonContext } from '../../helpers/reference-app';

function network(props: ProductionNetworkProps): { template: Template; network: ProductionNetwork } {
  const stack = new Stack();
  const built = new ProductionNetwork(stack, 'Network', props);
  return { template: Template.fromStack(stack), network: built };
}

describe('ProductionNetwork with NAT instances', () => {
  test('GIVEN natDevice INSTANCE per AZ THEN each AZ routes through its own t4g.nano instance and no NAT gateway exists', () => {
    const { template } = network({ natDevice: NatDevice.INSTANCE, natStrategy: NatStrategy.PER_AZ, maxAzs: 3 });
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::EIP', 0);
    template.resourceCountIs('AWS::EC2::Instance', 3);
    template.allResourcesProperties('AWS::EC2::Instance', {
      InstanceType: 't4g.nano',
      SourceDestCheck: false,
      NetworkInterfaces: [Match.objectLike({ AssociatePublicIpAddress: true })],
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3', DeleteOnTermination: true } }],
      CreditSpecification: { CPUCredits: 'standard' },
    });
    const routes = template.findResources('AWS::EC2::Route', { Properties: { InstanceId: Match.anyValue() } });
    expect(new Set(Object.values(routes).map((r) => JSON.stringify((r as { Properties: { InstanceId: unknown } }).Properties.InstanceId))).size).toBe(3);
  });

  test('GIVEN natDevice INSTANCE and a single NAT THEN one instance serves every private subnet', () => {
    const { template } = network({ natDevice: NatDevice.INSTANCE, natStrategy: NatStrategy.SINGLE });
    template.resourceCountIs('AWS::EC2::Instance', 1);
    expect(Object.keys(template.findResources('AWS::EC2::Route', { Properties: { InstanceId: Match.anyValue() } }))).toHaveLength(2);
  });

  test('the instances admit only the VPC range and require IMDSv2', () => {
    const { template } = network({ natDevice: NatDevice.INSTANCE, cidr: '10.20.0.0/16' });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Security Group for NAT instances',
      SecurityGroupIngress: [{ CidrIp: '10.20.0.0/16', IpProtocol: '-1', Description: 'Traffic from the VPC to forward to the internet' }],
    });
    const groups = template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: 'Security Group for NAT instances' } });
    expect(JSON.stringify(groups)).not.toContain('"CidrIp":"0.0.0.0/0","Description":"from 0.0.0.0/0');
    template.allResourcesProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required' } } });
  });

  test('each instance has an alarm that recovers it on a failed system check and one that reboots it on a failed instance check', () => {
    const { template, network: built } = network({ natDevice: NatDevice.INSTANCE });
    expect(built.natRecoveryAlarms).toHaveLength(4);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'StatusCheckFailed_System',
      Namespace: 'AWS/EC2',
      EvaluationPeriods: 2,
      AlarmActions: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':automate:', { Ref: 'AWS::Region' }, ':ec2:recover']] }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'StatusCheckFailed_Instance',
      AlarmActions: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':automate:', { Ref: 'AWS::Region' }, ':ec2:reboot']] }],
    });
  });

  test('another instance type is used as given, on its own architecture', () => {
    const { template } = network({ natDevice: NatDevice.INSTANCE, natInstanceType: new ec2.InstanceType('t4g.micro') });
    template.allResourcesProperties('AWS::EC2::Instance', { InstanceType: 't4g.micro' });
    expect(JSON.stringify(template.toJSON().Parameters)).toContain('al2023-ami-kernel-6.1-arm64');
  });

  test('the default stays NAT gateways, and NONE creates neither', () => {
    network({}).template.resourceCountIs('AWS::EC2::Instance', 0);
    const none = network({ natStrategy: NatStrategy.NONE, natDevice: NatDevice.INSTANCE }).template;
    none.resourceCountIs('AWS::EC2::Instance', 0);
    none.resourceCountIs('AWS::EC2::NatGateway', 0);
  });

  test.each([
    [{ natDevice: 'router' as NatDevice }, /natDevice must be one of gateway \| instance \(got router\)/],
    [{ natInstanceType: new ec2.InstanceType('t4g.micro') }, /natInstanceType t4g.micro is set but natDevice is gateway; set natDevice to NatDevice.INSTANCE/],
  ])('%o is refused with the prop and the fix', (props, message) => {
    expect(() => network(props)).toThrow(message);
  });

  test('the policy packs find nothing unacknowledged on NAT instances', () => {
    const app = new App({ context: cdkJsonContext() });
    new ProductionNetwork(new Stack(app, 'Net'), 'Network', { natDevice: NatDevice.INSTANCE });
    addPolicyPacks(app);
    expect(() => synthWithPolicyGate(app)).not.toThrow();
  });
});
