import { Match, type Template } from 'aws-cdk-lib/assertions';
import { synthReferenceApp } from '../helpers/reference-app';

/** Resource types whose CloudFormation `Tags` are a list of {Key, Value}. */
function untaggedResources(template: Template, key: string): string[] {
  return Object.entries(template.toJSON().Resources as Record<string, { Properties?: { Tags?: unknown } }>)
    .filter(([, resource]) => Array.isArray(resource.Properties?.Tags))
    .filter(([, resource]) => !(resource.Properties!.Tags as Array<{ Key: string }>).some((tag) => tag.Key === key))
    .map(([logicalId]) => logicalId);
}

describe('the reference app with cdk.json as shipped (production profile)', () => {
  const app = synthReferenceApp();

  test('has zero unacknowledged AwsSolutions / NIST 800-53 R5 / CloudFormation validation findings', () => {
    expect(() => synthReferenceApp()).not.toThrow();
  });

  test('is environment-agnostic: no account or region, so synth needs no AWS account', () => {
    expect(app.stateful.environment).toBe('aws://unknown-account/unknown-region');
    expect(app.stateless.environment).toBe('aws://unknown-account/unknown-region');
  });

  test('protects the stateful stack from deletion and makes the stateless one depend on it', () => {
    expect(app.stateful.terminationProtection).toBe(true);
    expect(app.stateless.dependencies).toContain(app.stateful);
  });

  test('every taggable resource carries the app, profile, component, owner and user tags', () => {
    for (const key of ['shipshape:app', 'shipshape:profile', 'shipshape:component', 'shipshape:owner', 'cost-center']) {
      expect({ key, untagged: untaggedResources(app.statefulTemplate, key) }).toEqual({ key, untagged: [] });
    }
    app.statefulTemplate.hasResourceProperties('AWS::EC2::VPC', {
      Tags: Match.arrayWith([
        { Key: 'shipshape:component', Value: 'network' },
        { Key: 'shipshape:profile', Value: 'production' },
      ]),
    });
  });

  test('has a NAT gateway in each of its 2 AZs', () => {
    app.statefulTemplate.resourceCountIs('AWS::EC2::NatGateway', 2);
  });

  test('runs the reference application: 2 tasks as uid 1000 (its image built by cdk deploy until the first release), behind a protected ALB', () => {
    app.statelessTemplate.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 2 });
    app.statelessTemplate.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Name: 'app', Image: { 'Fn::If': ['ImageVersionIsInitial', Match.anyValue(), Match.anyValue()] }, User: '1000' })],
    });
    app.statelessTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }]),
    });
  });

  test('outputs the URL clients use: HTTP on the load balancer DNS name when no domain is configured', () => {
    app.statelessTemplate.hasOutput('ServiceUrl', {
      Value: { 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [Match.stringLikeRegexp('LoadBalancer'), 'DNSName'] }]] },
    });
  });

  test('tags every taggable resource of the stateless stack too', () => {
    for (const key of ['shipshape:app', 'shipshape:component', 'shipshape:owner']) {
      expect({ key, untagged: untaggedResources(app.statelessTemplate, key) }).toEqual({ key, untagged: [] });
    }
  });

  test('writes each acknowledgment, with its reason, into the metadata of the resource it concerns', () => {
    const routes = app.statefulTemplate.findResources('AWS::EC2::Route', {
      Metadata: {
        cdk_nag: {
          rules_to_suppress: Match.arrayWith([
            Match.objectLike({ id: 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW', reason: Match.stringLikeRegexp('load balancer') }),
          ]),
        },
      },
    });
    expect(Object.keys(routes)).toHaveLength(2);
  });
});

describe('the reference app in other configurations still passes the policy packs', () => {
  test('budget profile: one NAT instance (no gateway), 30-day flow logs, small tasks, no ALB deletion protection', () => {
    const { statefulTemplate, statelessTemplate } = synthReferenceApp({ 'shipshape.profile': 'budget' });
    statefulTemplate.resourceCountIs('AWS::EC2::NatGateway', 0);
    statefulTemplate.resourceCountIs('AWS::EC2::Instance', 1);
    statefulTemplate.hasResourceProperties('AWS::EC2::Instance', { InstanceType: 't4g.nano' });
    statefulTemplate.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    statelessTemplate.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '256', Memory: '512' });
    statelessTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'false' }]),
    });
  });

  test('HTTPS with a certificate and domain passes the packs without the HTTP acknowledgments', () => {
    const { statelessTemplate } = synthReferenceApp({
      'shipshape.service.https': '{"certificateArn":"arn:aws:acm:us-east-1:111111111111:certificate/abc-1","domainName":"app.example.com"}',
    });
    statelessTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
    statelessTemplate.hasOutput('ServiceUrl', { Value: 'https://app.example.com' });
  });

  test('no NAT over 3 AZs: VPC endpoints instead, and an image from ECR', () => {
    const { statefulTemplate } = synthReferenceApp({
      'shipshape.network.natStrategy': 'none',
      'shipshape.network.maxAzs': '3',
      'shipshape.service.image': '{"repository":"payments-api","tag":"v1.4.2"}',
    });
    statefulTemplate.resourceCountIs('AWS::EC2::NatGateway', 0);
    statefulTemplate.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 6);
  });

  test('an ECR image: the execution role may pull from that repository only', () => {
    const { statelessTemplate } = synthReferenceApp({ 'shipshape.service.image': '{"repository":"payments-api","tag":"v1.4.2"}' });
    statelessTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
            Resource: { 'Fn::Join': ['', Match.arrayWith([':repository/payments-api'])] },
          }),
        ]),
      },
    });
  });

  test('an explicit account and region synthesize with no AZ lookup and no hardcoded zone', () => {
    const { stateful, statefulTemplate } = synthReferenceApp({ 'shipshape.env': '{"account":"111111111111","region":"eu-west-1"}' });
    expect(stateful.environment).toBe('aws://111111111111/eu-west-1');
    const missing = (stateful.node.root as unknown as { synth(): { manifest: { missing?: unknown } } }).synth().manifest.missing;
    expect(missing).toBeUndefined();
    statefulTemplate.hasResourceProperties('AWS::EC2::Subnet', { AvailabilityZone: { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] } });
  });
});
