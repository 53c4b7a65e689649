import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { accessLogBucket, sendAccessLogs } from '../../../constructs/private/access-log-bucket';

function loadBalancerWithLogs(env?: { region: string }) {
  const stack = new Stack(new App(), 'Web', { env });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true });
  sendAccessLogs(loadBalancer, accessLogBucket(stack, 'Logs', Duration.days(30)));
  return Template.fromStack(stack);
}

const principalsOf = (template: Template) => {
  const [policy] = Object.values(template.findResources('AWS::S3::BucketPolicy')) as Array<{ Properties: { PolicyDocument: { Statement: Array<{ Principal?: unknown; Action: unknown }> } } }>;
  return JSON.stringify(policy.Properties.PolicyDocument.Statement.filter((s) => s.Action === 's3:PutObject').map((s) => s.Principal));
};

describe('ALB access logs in an environment-agnostic stack (the reference app\'s default)', () => {
  const template = loadBalancerWithLogs();
  const json = JSON.stringify(template.toJSON());

  test('nothing depends on a per-region lookup: no mapping, no condition', () => {
    expect(json).not.toContain('Fn::FindInMap');
    expect(template.toJSON().Conditions).toBeUndefined();
  });

  test('a region opened since August 2022 (mx-central-1, ap-southeast-5, ...) is served by the log delivery service principal', () => {
    expect(principalsOf(template)).toContain('"Service":"logdelivery.elasticloadbalancing.amazonaws.com"');
  });

  test.each([
    ['us-east-1', '127311923021'],
    ['eu-west-1', '156460612806'],
    ['ap-southeast-2', '783225319266'],
    ['af-south-1', '098369216593'],
  ])('an older region (%s) is served by its ELB account (%s)', (_region, account) => {
    expect(principalsOf(template)).toContain(`:iam::${account}:root`);
  });

  test('only this account\'s log prefix may be written', () => {
    const [policy] = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    for (const statement of (policy as { Properties: { PolicyDocument: { Statement: Array<{ Action: string; Resource: unknown }> } } }).Properties.PolicyDocument.Statement.filter((s) => s.Action === 's3:PutObject')) {
      expect(JSON.stringify(statement.Resource)).toContain('"/AWSLogs/",{"Ref":"AWS::AccountId"},"/*"');
    }
  });

  test('the load balancer writes there', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }]),
    });
  });
});

test('with a known region, CDK grants exactly that region\'s way', () => {
  expect(principalsOf(loadBalancerWithLogs({ region: 'eu-west-1' }))).toContain('156460612806');
});
