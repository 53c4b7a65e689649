import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NatStrategy, ProductionNetwork, type ProductionNetworkProps } from '../../../constructs/network';

function networkTemplate(props: ProductionNetworkProps = {}, stack = new Stack()): Template {
  new ProductionNetwork(stack, 'Network', props);
  return Template.fromStack(stack);
}

function subnetsOfType(template: Template, type: 'Public' | 'Private' | 'Isolated'): number {
  return Object.keys(
    template.findResources('AWS::EC2::Subnet', {
      Properties: { Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-name', Value: type }]) },
    }),
  ).length;
}

describe('ProductionNetwork subnets', () => {
  test('by default spans 2 AZs with a public, a private and an isolated subnet in each', () => {
    const template = networkTemplate();
    expect([subnetsOfType(template, 'Public'), subnetsOfType(template, 'Private'), subnetsOfType(template, 'Isolated')]).toEqual([2, 2, 2]);
  });

  test('3 AZs in an environment-agnostic stack pick the third zone at deploy time, with no lookup', () => {
    const template = networkTemplate({ maxAzs: 3 });
    expect(subnetsOfType(template, 'Private')).toBe(3);
    template.hasResourceProperties('AWS::EC2::Subnet', {
      AvailabilityZone: { 'Fn::Select': [2, { 'Fn::GetAZs': '' }] },
    });
  });

  test('named zones are used as given', () => {
    const template = networkTemplate({ availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
    template.hasResourceProperties('AWS::EC2::Subnet', { AvailabilityZone: 'eu-west-1b' });
  });

  test('public subnets give nothing a public IP on launch', () => {
    const template = networkTemplate();
    template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
  });
});

describe('ProductionNetwork NAT strategies', () => {
  test.each([
    [NatStrategy.PER_AZ, 2, 2],
    [NatStrategy.PER_AZ, 3, 3],
    [NatStrategy.SINGLE, 3, 1],
    [NatStrategy.NONE, 2, 0],
  ])('%s over %i AZs makes %i NAT gateways', (natStrategy, maxAzs, nats) => {
    networkTemplate({ natStrategy, maxAzs }).resourceCountIs('AWS::EC2::NatGateway', nats);
  });

  test('per-az routes each private subnet through the NAT gateway of its own AZ', () => {
    const template = networkTemplate({ natStrategy: NatStrategy.PER_AZ });
    const natRoutes = Object.values(
      template.findResources('AWS::EC2::Route', { Properties: { NatGatewayId: Match.anyValue() } }),
    ).map((route) => JSON.stringify((route as { Properties: { NatGatewayId: unknown } }).Properties.NatGatewayId));
    expect(new Set(natRoutes).size).toBe(2);
  });

  test('none adds interface endpoints for ECR, ECR Docker, Logs, Secrets Manager, KMS and EC2 (the smoke test), in the private subnets', () => {
    const template = networkTemplate({ natStrategy: NatStrategy.NONE });
    for (const service of ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'kms', 'ec2']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        ServiceName: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`\\.${service.replace('.', '\\.')}$`)])] },
      });
    }
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 6);
    template.resourceCountIs('AWS::EC2::Route', 2); // the public subnets' internet routes only
  });

  test('every strategy has an S3 gateway endpoint (ECR layers) and interface endpoints only with none', () => {
    const template = networkTemplate({ natStrategy: NatStrategy.PER_AZ });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 0);
  });
});

describe('ProductionNetwork flow logs and default security group', () => {
  test('logs all traffic each minute to a KMS-encrypted log group with the retention asked for', () => {
    const template = networkTemplate({ flowLogRetention: logs.RetentionDays.THREE_MONTHS });
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      MaxAggregationInterval: 60,
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 90,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('FlowLogKey'), 'Arn'] },
    });
  });

  test('the flow log key rotates, is kept on delete, and lets only CloudWatch Logs of this account use it', () => {
    const template = networkTemplate();
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'AllowCloudWatchLogsOfThisAccount',
              Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
            }),
          ]),
        },
      },
    });
  });

  test('GIVEN a key of the stack WHEN the network is built THEN its flow logs use that key and it adds no key, nor any statement to the given key', () => {
    const stack = new Stack();
    const key = new kms.Key(stack, 'StackLogs');
    const template = networkTemplate({ encryptionKey: key }, stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } });
    // The key's owner admits CloudWatch Logs (the key policy is its own): the network leaves it as it is.
    expect(JSON.stringify(template.findResources('AWS::KMS::Key'))).not.toContain('AllowCloudWatchLogsOfThisAccount');
  });

  test('the default security group is emptied of its rules', () => {
    networkTemplate().resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test('everything it creates is tagged with the network component', () => {
    networkTemplate().hasResourceProperties('AWS::EC2::VPC', {
      Tags: Match.arrayWith([{ Key: 'shipshape:component', Value: 'network' }]),
    });
  });
});

describe('ProductionNetwork refuses bad props', () => {
  test.each([
    [{ maxAzs: 1 }, /maxAzs must be 2 or 3 \(got 1\)/],
    [{ maxAzs: 4 }, /maxAzs must be 2 or 3 \(got 4\)/],
    [{ cidr: '10.0.0.0/8' }, /cidr must be a literal IPv4 block from \/16 to \/24.*\(got 10\.0\.0\.0\/8\)/],
    [{ natStrategy: 'gateway' as NatStrategy }, /natStrategy must be one of per-az \| single \| none \(got gateway\)/],
    [{ maxAzs: 2, availabilityZones: ['us-east-1a'] }, /availabilityZones lists 1 zones but maxAzs is 2/],
  ])('%j', (props, message) => {
    expect(() => networkTemplate(props)).toThrow(message);
  });
});
