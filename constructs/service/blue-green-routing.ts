import { type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import * as path from 'node:path';
import { acknowledge } from '../private/acknowledge';
import { acknowledgeFunctionFindings, shipshapeFunction } from '../private/node-function';
import { type ResolvedSmokeTest, smokeTestWorstCaseSeconds } from './release-options';

/** The header the test route matches; its value is a generated secret. */
export const TEST_ROUTE_HEADER = 'x-shipshape-test-route';

/**
 * The test listener's port (HTTP). No rule opens it to the internet: only the smoke test's security
 * group may reach it, from inside the VPC, on the load balancer's private addresses.
 */
export const TEST_LISTENER_PORT = 9000;

/** Listener rule priorities: the test route is checked before the production route. */
export const TEST_RULE_PRIORITY = 10;
export const PRODUCTION_RULE_PRIORITY = 100;

export interface BlueGreenRoutingProps {
  readonly service: ecs.FargateService;
  readonly containerName: string;
  readonly containerPort: number;
  /** The load balancer; the test listener is added to it. */
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener clients reach; the production rule hangs on it. */
  readonly listener: elbv2.ApplicationListener;
  /** Serves production first. */
  readonly blue: elbv2.ApplicationTargetGroup;
  /** Receives the next revision; the two swap roles at every release. */
  readonly green: elbv2.ApplicationTargetGroup;
  /** The name clients use: the Host header of the smoke test's requests. */
  readonly host: string;
  /** The VPC of the load balancer; the smoke test runs in it. */
  readonly vpc: ec2.IVpc;
  /** Where the smoke test runs (it needs the EC2 and Secrets Manager APIs: NAT or interface endpoints). */
  readonly smokeTestSubnets: ec2.SubnetSelection;
  readonly smokeTest: ResolvedSmokeTest;
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The routing ECS native blue/green needs: a production rule and a test rule over two target
 * groups, and the smoke test that runs on the test rule before production traffic moves.
 *
 * The test rule hangs on its own listener (`TEST_LISTENER_PORT`), which the load balancer's security
 * group opens only to the smoke test's security group: the route to an untested revision is not
 * reachable from the internet, whoever knows the header value (any principal allowed
 * `elasticloadbalancing:DescribeRules` can read it). The load balancer's DNS name resolves to its
 * public addresses, and a rule naming a security group admits private addresses only, so the smoke
 * test runs in the VPC and calls the load balancer's private addresses, which it finds by their
 * network interfaces (`ec2:DescribeNetworkInterfaces`).
 *
 * Both rules are rendered as a weighted forward over both target groups, the shape ECS itself
 * writes, and from nothing that changes between releases (fixed priorities, conditions and target
 * groups). CloudFormation updates a resource only when its template properties change, so a later
 * `cdk deploy` never rewrites the weights ECS manages (aws-cdk#36649).
 */
export class BlueGreenRouting extends Construct {
  public readonly blue: elbv2.ApplicationTargetGroup;
  public readonly green: elbv2.ApplicationTargetGroup;
  public readonly productionRule: elbv2.ApplicationListenerRule;
  public readonly testRule: elbv2.ApplicationListenerRule;
  /** The role ECS uses to move listener weights and register targets. */
  public readonly infrastructureRole: iam.Role;
  /** The role ECS uses to invoke the smoke test. */
  public readonly smokeTestHookRole: iam.Role;
  /** The listener the test rule hangs on: reachable only from the smoke test's security group. */
  public readonly testListener: elbv2.ApplicationListener;
  /**
   * The value of the test route header: a second check behind the security group, not a secret from
   * anyone who may describe the listener rules.
   */
  public readonly testRouteToken: secretsmanager.Secret;
  public readonly smokeTestFunction: ReturnType<typeof shipshapeFunction>;

  constructor(scope: Construct, id: string, props: BlueGreenRoutingProps) {
    super(scope, id);
    this.blue = props.blue;
    this.green = props.green;
    this.testRouteToken = new secretsmanager.Secret(this, 'TestRouteToken', {
      description: 'Header value that routes a request to the new revision during a blue/green deployment',
      encryptionKey: props.key,
      generateSecretString: { excludePunctuation: true, passwordLength: 40 },
    });
    acknowledge(
      this.testRouteToken,
      'AwsSolutions-SMG4',
      'The listener rule condition holds this value, resolved by CloudFormation at deploy time: a rotation would desynchronise it. It only opens the test route, which reaches the new revision during a deployment.',
    );
    acknowledge(
      this.testRouteToken,
      'NIST.800.53.R5-SecretsManagerRotationEnabled',
      'The listener rule condition holds this value, resolved by CloudFormation at deploy time: a rotation would desynchronise it. It grants no data access, only the test route.',
    );
    const weighted = elbv2.ListenerAction.weightedForward([
      { targetGroup: props.blue, weight: 100 },
      { targetGroup: props.green, weight: 0 },
    ]);
    this.productionRule = new elbv2.ApplicationListenerRule(this, 'ProductionRule', {
      listener: props.listener,
      priority: PRODUCTION_RULE_PRIORITY,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
      action: weighted,
    });
    this.testListener = props.loadBalancer.addListener('Test', {
      port: TEST_LISTENER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not found' }),
    });
    const inVpcOnly =
      'Plain HTTP inside the VPC: the security group admits only the smoke test, which calls the private addresses of the load balancer (a certificate for them cannot exist); no client ever reaches this listener.';
    acknowledge(this.testListener, 'NIST.800.53.R5-ALBHttpToHttpsRedirection', inVpcOnly);
    acknowledge(this.testListener, 'NIST.800.53.R5-ELBv2ACMCertificateRequired', inVpcOnly);
    this.testRule = new elbv2.ApplicationListenerRule(this, 'TestRule', {
      listener: this.testListener,
      priority: TEST_RULE_PRIORITY,
      conditions: [elbv2.ListenerCondition.httpHeader(TEST_ROUTE_HEADER, [this.testRouteToken.secretValue.unsafeUnwrap()])],
      action: weighted,
    });
    for (const rule of [this.productionRule, this.testRule]) {
      // Tags follow the configuration (owner, profile, user tags): rendered on a rule, a tag change
      // would make CloudFormation rewrite the rule and the weights ECS manages with it.
      (rule.node.defaultChild as elbv2.CfnListenerRule).addPropertyDeletionOverride('Tags');
    }

    this.infrastructureRole = new iam.Role(this, 'InfrastructureRole', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: 'Lets ECS shift listener weights between the blue and green target groups',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonECSInfrastructureRolePolicyForLoadBalancers')],
    });
    props.service
      .loadBalancerTarget({
        containerName: props.containerName,
        containerPort: props.containerPort,
        alternateTarget: new ecs.AlternateTarget('Alternate', {
          alternateTargetGroup: props.green,
          role: this.infrastructureRole,
          productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(this.productionRule),
          testListener: ecs.ListenerRuleConfiguration.applicationListenerRule(this.testRule),
        }),
      })
      .attachToApplicationTargetGroup(props.blue);

    this.smokeTestFunction = this.smokeTest(props);
    // The only way in to the test listener (the function's own group already allows all outbound).
    for (const group of props.loadBalancer.connections.securityGroups) {
      for (const smokeTest of this.smokeTestFunction.connections.securityGroups) {
        group.addIngressRule(smokeTest, ec2.Port.tcp(TEST_LISTENER_PORT), 'The smoke test calls the test listener');
      }
    }
    const hookRole = (this.smokeTestHookRole = new iam.Role(this, 'SmokeTestHookRole', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: 'Lets ECS invoke the blue/green smoke test',
    }));
    this.smokeTestFunction.grantInvoke(hookRole);
    props.service.addLifecycleHook(
      new ecs.DeploymentLifecycleLambdaTarget(this.smokeTestFunction, 'SmokeTestHook', {
        role: hookRole,
        lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
      }),
    );
    this.acknowledgeRoles(hookRole);
  }

  private smokeTest(props: BlueGreenRoutingProps) {
    const t = props.smokeTest;
    const fn = shipshapeFunction(this, 'SmokeTest', {
      entry: path.join(__dirname, 'runtime', 'smoke-test.lambda.ts'),
      description: 'Blue/green pre-traffic smoke test: calls the new revision through the test route',
      key: props.key,
      logRetention: props.logRetention,
      timeout: Duration.seconds(smokeTestWorstCaseSeconds(t) + 30),
      vpc: props.vpc,
      vpcSubnets: props.smokeTestSubnets,
      environment: {
        LOAD_BALANCER_INTERFACES: `ELB ${props.loadBalancer.loadBalancerFullName}`,
        TEST_PORT: String(TEST_LISTENER_PORT),
        HOST: props.host,
        SMOKE_PATH: t.path,
        EXPECTED_STATUS: String(t.expectedStatus),
        ATTEMPTS: String(t.attempts),
        TIMEOUT_MS: String(t.timeoutSeconds * 1000),
        RETRY_DELAY_MS: String(t.retryDelaySeconds * 1000),
        TEST_HEADER: TEST_ROUTE_HEADER,
        TEST_TOKEN_SECRET_ARN: this.testRouteToken.secretArn,
      },
    });
    this.testRouteToken.grantRead(fn);
    // The load balancer's network interfaces carry the description `ELB <LoadBalancerFullName>`.
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'FindLoadBalancerAddresses', actions: ['ec2:DescribeNetworkInterfaces'], resources: ['*'] }));
    acknowledgeFunctionFindings(fn, 'ECS invokes the hook synchronously');
    return fn;
  }

  /** The roles CDK creates for ECS: the load balancer infrastructure role and the hook invoker. */
  private acknowledgeRoles(hookRole: iam.Role): void {
    acknowledge(
      this.infrastructureRole,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers]',
      'AWS maintains this policy with exactly the listener, rule and target group calls ECS blue/green makes; ECS alone can assume the role.',
    );
    const policy = hookRole.node.tryFindChild('DefaultPolicy');
    acknowledge(policy, 'NIST.800.53.R5-IAMNoInlinePolicy', 'CDK writes the one grant of this role (invoke the smoke test function) as its default policy.');
    const fnId = Stack.of(this).getLogicalId(this.smokeTestFunction.node.defaultChild as CfnElement);
    acknowledge(policy, `AwsSolutions-IAM5[Resource::<${fnId}.Arn>:*]`, 'The wildcard covers versions and aliases of the one smoke test function.');
    acknowledge(
      this.smokeTestFunction.role?.node.tryFindChild('DefaultPolicy'),
      'AwsSolutions-IAM5[Resource::*]',
      'ec2:DescribeNetworkInterfaces has no resource-level permissions; the smoke test reads the load balancer\'s private addresses with it.',
    );
  }
}
