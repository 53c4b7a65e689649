import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ProductionNetwork } from '../../../constructs/network';
import {
  PRODUCTION_RULE_PRIORITY,
  RedundantService,
  type RedundantServiceProps,
  ReleaseStrategy,
  TEST_LISTENER_PORT,
  TEST_ROUTE_HEADER,
  TEST_RULE_PRIORITY,
} from '../../../constructs/service';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable-alpine');

function serviceIn(stack: Stack, props: Partial<RedundantServiceProps> = {}): RedundantService {
  const network = new ProductionNetwork(stack, 'Network');
  return new RedundantService(stack, 'Service', { vpc: network.vpc, image: IMAGE, healthCheck: { path: '/health' }, ...props });
}

function build(props: Partial<RedundantServiceProps> = {}) {
  const stack = new Stack();
  const service = serviceIn(stack, props);
  return { stack, service, template: Template.fromStack(stack) };
}

interface Resource {
  readonly Properties: Record<string, Record<string, unknown> | undefined>;
}

describe('RedundantService: blue/green releases (the default)', () => {
  const { stack, service, template } = build();
  const ref = (construct: { node: { defaultChild?: unknown } }) => ({ Ref: stack.getLogicalId(construct.node.defaultChild as never) });
  const bg = service.blueGreen!;

  test('ECS native blue/green with a 10-minute bake, the circuit breaker still on', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Strategy: 'BLUE_GREEN',
        BakeTimeInMinutes: 10,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      }),
    });
  });

  test('an alternate target group, the production rule and the test rule, with the ECS infrastructure role', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    template.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [
        {
          ContainerName: 'app',
          ContainerPort: 8080,
          TargetGroupArn: ref(bg.blue),
          AdvancedConfiguration: {
            AlternateTargetGroupArn: ref(bg.green),
            ProductionListenerRule: ref(bg.productionRule),
            TestListenerRule: ref(bg.testRule),
            RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ServiceReleaseInfrastructureRole'), 'Arn'] },
          },
        },
      ],
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers']] }],
    });
  });

  test('both target groups check health the same fast way', () => {
    template.allResourcesProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 4,
      UnhealthyThresholdCount: 2,
      HealthyThresholdCount: 2,
    });
  });

  test('the production rule matches every path and forwards weighted, 100 blue / 0 green, as ECS writes it', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: PRODUCTION_RULE_PRIORITY,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
      Actions: [
        {
          Type: 'forward',
          ForwardConfig: { TargetGroups: [{ TargetGroupArn: ref(bg.blue), Weight: 100 }, { TargetGroupArn: ref(bg.green), Weight: 0 }] },
        },
      ],
    });
  });

  test('the test rule matches only a secret header value, resolved at deploy time (never in the template)', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: TEST_RULE_PRIORITY,
      Conditions: [
        {
          Field: 'http-header',
          HttpHeaderConfig: {
            HttpHeaderName: TEST_ROUTE_HEADER,
            Values: [{ 'Fn::Join': ['', ['{{resolve:secretsmanager:', ref(bg.testRouteToken), ':SecretString:::}}']] }],
          },
        },
      ],
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 40 },
      KmsKeyId: Match.anyValue(),
    });
  });

  test('the listeners themselves route nothing: ECS owns the routing through the rules', () => {
    const resources = template.toJSON().Resources as Record<string, { Properties: { DefaultActions: unknown } }>;
    for (const listener of [service.listener, bg.testListener]) {
      expect(resources[stack.getLogicalId(listener.node.defaultChild as never)].Properties.DefaultActions).toEqual([
        expect.objectContaining({ Type: 'fixed-response', FixedResponseConfig: expect.objectContaining({ StatusCode: '404' }) }),
      ]);
    }
  });

  test('the rules carry no tags, so a tag change never makes CloudFormation rewrite them', () => {
    for (const rule of Object.values(template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule')) as Resource[]) {
      expect(rule.Properties.Tags).toBeUndefined();
    }
  });

  test('the smoke test runs after test traffic shifts to the new revision, before production traffic', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        LifecycleHooks: [
          {
            HookTargetArn: { 'Fn::GetAtt': [stack.getLogicalId(bg.smokeTestFunction.node.defaultChild as never), 'Arn'] },
            LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
            RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SmokeTestHookRole'), 'Arn'] },
          },
        ],
      }),
    });
  });

  test('the smoke test calls the test listener with the header, GET /health expecting 200, 3 x 5 s, 5 s apart', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Timeout: 55, // 3 x 5 s + 2 x 5 s worst case, + 30 s
      Environment: {
        Variables: Match.objectLike({
          SMOKE_PATH: '/health',
          EXPECTED_STATUS: '200',
          ATTEMPTS: '3',
          TIMEOUT_MS: '5000',
          RETRY_DELAY_MS: '5000',
          TEST_HEADER: TEST_ROUTE_HEADER,
          TEST_TOKEN_SECRET_ARN: ref(bg.testRouteToken),
          TEST_PORT: String(TEST_LISTENER_PORT),
        }),
      },
    });
  });

  test('only ECS may invoke the smoke test, through its own role; the function reads only the token', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('SmokeTestHookRole') }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'lambda:InvokeFunction' })] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: ref(bg.testRouteToken) })]),
      },
    });
  });

  test('metrics follow production across both target groups', () => {
    // Read at the load balancer (no TargetGroup dimension): it sees whichever group is live.
    const dimensions = service.metricTarget5xxCount().toMetricConfig().metricStat?.dimensions ?? [];
    expect(dimensions.map((d) => d.name)).toEqual(['LoadBalancer']);
    const healthy = service.metricHealthyHostCount().toMetricConfig().mathExpression;
    expect(healthy?.expression).toBe('FILL(blueHealthyHostCount, 0) + FILL(greenHealthyHostCount, 0)');
  });

  test('smoke test settings are configurable', () => {
    const { template: t } = build({ smokeTest: { path: '/ready', expectedStatus: 204, attempts: 5, timeout: Duration.seconds(2), retryDelay: Duration.seconds(1) } });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 44, // 5 x 2 + 4 x 1 + 30
      Environment: { Variables: Match.objectLike({ SMOKE_PATH: '/ready', EXPECTED_STATUS: '204', ATTEMPTS: '5', TIMEOUT_MS: '2000', RETRY_DELAY_MS: '1000' }) },
    });
  });
});

describe('RedundantService: rollback alarms and the bake', () => {
  test('rollBackOn hands ECS the alarm names, with rollback', () => {
    const stack = new Stack();
    const service = serviceIn(stack);
    service.rollBackOn([{ alarmName: 'app-errors', detectionSeconds: 180 }]);
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Alarms: { AlarmNames: ['app-errors'], Enable: true, Rollback: true } }),
    });
  });

  test('a bake shorter than the slowest alarm detection is refused with the alarm and the minimum', () => {
    const service = serviceIn(new Stack(), { bakeTime: Duration.minutes(3) });
    expect(() => service.rollBackOn([{ alarmName: 'fast', detectionSeconds: 30 }, { alarmName: 'slow', detectionSeconds: 300 }])).toThrow(
      /bakeTime \(180 s\) is shorter than the detection time of rollback alarm slow \(300 s\); set bakeTime to at least 5 minutes/,
    );
  });
});

describe('RedundantService: rolling releases', () => {
  const { service, template } = build({ releaseStrategy: ReleaseStrategy.ROLLING });

  test('one target group forwarded by the listener, no rules, no hook, no bake', () => {
    expect(service.blueGreen).toBeUndefined();
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    const [svc] = Object.values(template.findResources('AWS::ECS::Service')) as Resource[];
    expect(svc.Properties.DeploymentConfiguration).toMatchObject({ Strategy: 'ROLLING' });
    expect(svc.Properties.DeploymentConfiguration?.BakeTimeInMinutes).toBeUndefined();
    expect(svc.Properties.DeploymentConfiguration?.LifecycleHooks).toBeUndefined();
  });
});

describe('blue/green bad input is refused with the prop and the allowed values', () => {
  test.each([
    [{ bakeTime: Duration.minutes(0) }, /bakeTime \(minutes\) must be between 1 and 1440 \(got 0\)/],
    [{ smokeTest: { attempts: 0 } }, /smokeTest.attempts must be between 1 and 10 \(got 0\)/],
    [{ smokeTest: { expectedStatus: 42 } }, /smokeTest.expectedStatus must be between 100 and 599 \(got 42\)/],
    [{ smokeTest: { timeout: Duration.minutes(2) } }, /smokeTest.timeout \(s\) must be between 1 and 30 \(got 120\)/],
    [{ smokeTest: { path: 'health' } }, /smokeTest.path must start with '\/' \(got health\)/],
    [{ releaseStrategy: ReleaseStrategy.ROLLING, bakeTime: Duration.minutes(5) }, /bakeTime and smokeTest apply to releaseStrategy BLUE_GREEN only/],
  ])('%o', (props, message) => {
    expect(() => build(props as Partial<RedundantServiceProps>)).toThrow(message);
  });
});
