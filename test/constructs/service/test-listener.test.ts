import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ProductionNetwork } from '../../../constructs/network';
import { PARKED_LISTENER_PORT, RedundantService, type RedundantServiceProps, TEST_LISTENER_PORT } from '../../../constructs/service';

// The test route reaches a revision nobody has tested yet. Its header value is readable by anyone
// allowed elasticloadbalancing:DescribeRules, so the network is the boundary: the test rule hangs on
// a listener that only the smoke test's security group may reach.

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable-alpine');

interface Ingress {
  readonly FromPort?: number;
  readonly ToPort?: number;
  readonly CidrIp?: string;
  readonly CidrIpv6?: string;
  readonly SourcePrefixListId?: string;
  readonly SourceSecurityGroupId?: unknown;
  readonly GroupId?: unknown;
}

function build(props: Partial<RedundantServiceProps> = {}) {
  const stack = new Stack();
  const network = new ProductionNetwork(stack, 'Network');
  const service = new RedundantService(stack, 'Service', { vpc: network.vpc, image: IMAGE, healthCheck: { path: '/health' }, ...props });
  const id = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
  return { stack, service, template: Template.fromStack(stack), id };
}

/** Every ingress rule of a security group: inline in the group, and standalone SecurityGroupIngress resources. */
function ingressOf(template: Template, groupId: string): Ingress[] {
  const resources = template.toJSON().Resources as Record<string, { Properties: { SecurityGroupIngress?: Ingress[] } }>;
  const group = resources[groupId];
  const standalone = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress') as Record<string, { Properties: Ingress }>)
    .map((r) => r.Properties)
    .filter((r) => JSON.stringify(r.GroupId) === JSON.stringify({ 'Fn::GetAtt': [groupId, 'GroupId'] }));
  return [...(group.Properties.SecurityGroupIngress ?? []), ...standalone];
}

const covers = (rule: Ingress, port: number) => (rule.FromPort ?? 0) <= port && port <= (rule.ToPort ?? 65535);
const fromAddresses = (rule: Ingress) => rule.CidrIp !== undefined || rule.CidrIpv6 !== undefined || rule.SourcePrefixListId !== undefined;

describe('the test route (blue/green)', () => {
  const { service, template, id } = build();
  const bg = service.blueGreen!;
  const albGroup = id(service.loadBalancer.connections.securityGroups[0]);
  const smokeGroup = id(bg.smokeTestFunction.connections.securityGroups[0]);

  test('the test rule hangs on its own HTTP listener on the test port; the production rule on the serving listener', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: TEST_LISTENER_PORT, Protocol: 'HTTP' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { Priority: 10, ListenerArn: { Ref: id(bg.testListener) } });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { Priority: 100, ListenerArn: { Ref: id(service.listener) } });
    template.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [Match.objectLike({ AdvancedConfiguration: Match.objectLike({ TestListenerRule: { Ref: id(bg.testRule) } }) })],
    });
  });

  test('the test port admits the smoke test\'s security group and nothing else', () => {
    const rules = ingressOf(template, albGroup).filter((r) => covers(r, TEST_LISTENER_PORT));
    expect(rules).toEqual([expect.objectContaining({ SourceSecurityGroupId: { 'Fn::GetAtt': [smokeGroup, 'GroupId'] } })]);
  });

  test('no address range reaches the load balancer except on the client port', () => {
    const ranges = ingressOf(template, albGroup).filter(fromAddresses);
    expect(ranges.length).toBeGreaterThan(0);
    for (const rule of ranges) expect([rule.FromPort, rule.ToPort]).toEqual([80, 80]);
  });

  test('the smoke test runs in the task subnets behind its own security group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TEST_PORT: String(TEST_LISTENER_PORT) }) },
      VpcConfig: {
        SecurityGroupIds: [{ 'Fn::GetAtt': [smokeGroup, 'GroupId'] }],
        SubnetIds: [{ Ref: Match.stringLikeRegexp('^NetworkVpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('^NetworkVpcPrivateSubnet2') }],
      },
    });
  });

  test('it calls the load balancer\'s private addresses, found by the description AWS gives its network interfaces', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          LOAD_BALANCER_INTERFACES: { 'Fn::Join': ['', ['ELB ', { 'Fn::GetAtt': [id(service.loadBalancer), 'LoadBalancerFullName'] }]] },
          HOST: { 'Fn::GetAtt': [id(service.loadBalancer), 'DNSName'] },
        }),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: id(bg.smokeTestFunction.role!) }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'ec2:DescribeNetworkInterfaces', Resource: '*' })]) },
    });
  });

  test('with HTTP only, the port-80 listener\'s successor waits parked on its own port, which nothing admits', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: PARKED_LISTENER_PORT,
      DefaultActions: [Match.objectLike({ Type: 'fixed-response' })],
    });
    expect(ingressOf(template, albGroup).filter((r) => covers(r, PARKED_LISTENER_PORT))).toEqual([]);
  });
});

describe('the test route with HTTPS', () => {
  const certificate = (stack: Stack) => acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:us-east-1:111111111111:certificate/abc');
  const stack = new Stack();
  const network = new ProductionNetwork(stack, 'Network');
  const service = new RedundantService(stack, 'Service', { vpc: network.vpc, image: IMAGE, certificate: certificate(stack), domainName: 'shop.example.com' });
  const template = Template.fromStack(stack);
  const albGroup = stack.getLogicalId(service.loadBalancer.connections.securityGroups[0].node.defaultChild as never);

  test('clients reach 443 and 80 (a redirect); the test port stays closed to every address range', () => {
    const ranges = ingressOf(template, albGroup).filter(fromAddresses);
    expect(ranges.map((r) => r.FromPort).sort((a = 0, b = 0) => a - b)).toEqual([80, 443]);
    expect(ranges.some((r) => covers(r, TEST_LISTENER_PORT))).toBe(false);
  });

  test('the smoke test sends the name clients use as its Host header', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ HOST: 'shop.example.com' }) } });
  });
});
