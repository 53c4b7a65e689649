import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ProductionNetwork } from '../../../constructs/network';
import {
  PARKED_LISTENER_PORT,
  RedundantService,
  type RedundantServiceProps,
  ReleaseStrategy,
  secondsUntilInRotation,
  secondsUntilOutOfRotation,
} from '../../../constructs/service';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable-alpine');

function build(props: Partial<RedundantServiceProps> = {}) {
  const stack = new Stack();
  const network = new ProductionNetwork(stack, 'Network');
  const service = new RedundantService(stack, 'Service', {
    vpc: network.vpc,
    taskSubnets: network.appSubnets,
    loadBalancerSubnets: network.publicSubnets,
    image: IMAGE,
    ...props,
  });
  return { stack, network, service, template: Template.fromStack(stack) };
}

function containerOf(template: Template): Record<string, unknown> {
  const [taskDefinition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
  return (taskDefinition as { Properties: { ContainerDefinitions: Array<Record<string, unknown>> } }).Properties.ContainerDefinitions[0];
}

describe('RedundantService: redundancy and self-healing', () => {
  const { template, stack, network } = build();

  test('runs 2 Fargate tasks in the private subnets, with no public IP', () => {
    const privateSubnets = network.vpc.selectSubnets(network.appSubnets).subnetIds.map((id) => stack.resolve(id) as unknown);
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 2,
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Base: 1, Weight: 1 }],
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED', Subnets: privateSubnets } },
    });
  });

  test('rolls deployments with 100% healthy capacity kept and the circuit breaker rolling back failures', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: {
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      },
      HealthCheckGracePeriodSeconds: 30,
      AvailabilityZoneRebalancing: 'ENABLED',
    });
  });

  test('runs its cluster with Container Insights enhanced observability', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }],
    });
  });

  test('checks targets every 5 s with a 4 s timeout, 2 failures out and 2 successes in', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Port: 8080,
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 4,
      UnhealthyThresholdCount: 2,
      HealthyThresholdCount: 2,
      TargetGroupAttributes: Match.arrayWith([
        { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
        { Key: 'load_balancing.algorithm.type', Value: 'least_outstanding_requests' },
      ]),
    });
  });

  test('has the container check its own health, so ECS replaces a wedged task', () => {
    expect(containerOf(template)).toMatchObject({
      HealthCheck: {
        Command: ['CMD-SHELL', 'wget -q -O /dev/null http://localhost:8080/health || exit 1'],
        Interval: 10,
        Timeout: 5,
        Retries: 3,
        StartPeriod: 30,
      },
    });
  });

  test('lets a stopping task finish in-flight requests: 30 s deregistration, then 30 s from SIGTERM to SIGKILL', () => {
    expect(containerOf(template)).toMatchObject({ StopTimeout: 30 });
  });

  test('scales from 2 to 10 tasks on CPU (60%); blue/green has no per-target-group request scaling', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 10 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 60,
      },
    });
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 1);
  });

  test('rolling: scales on requests per task (1000/min) too', () => {
    const { template: rolling } = build({ releaseStrategy: ReleaseStrategy.ROLLING });
    rolling.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget' },
        TargetValue: 1000,
      },
    });
  });
});

describe('RedundantService: the health-check arithmetic', () => {
  test('with the defaults a dead task is out of rotation within 15 s and a new one in within 10 s', () => {
    const { service } = build();
    expect(secondsUntilOutOfRotation(service.healthCheckTiming)).toBe(14);
    expect(secondsUntilInRotation(service.healthCheckTiming)).toBe(10);
  });

  test('follows the settings: a 10 s interval and 3 failures take 3 x 10 + 4 = 34 s', () => {
    const { service } = build({ healthCheck: { interval: Duration.seconds(10), unhealthyThreshold: 3 } });
    expect(secondsUntilOutOfRotation(service.healthCheckTiming)).toBe(34);
  });
});

describe('RedundantService: the load balancer', () => {
  test('is internet-facing in the public subnets, drops invalid headers and is protected from deletion', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'deletion_protection.enabled', Value: 'true' },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    });
  });

  test('writes access logs to a private, TLS-only, encrypted bucket whose logs expire', () => {
    const { template } = build({ accessLogRetention: Duration.days(90) });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, Status: 'Enabled' })] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Action: 's3:PutObject', Principal: { AWS: Match.anyValue() } }),
        ]),
      },
    });
  });

  test('without a certificate serves HTTP on port 80 (rolling: the listener forwards itself); the redirect listener waits parked', () => {
    const { template } = build({ releaseStrategy: ReleaseStrategy.ROLLING });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP', DefaultActions: [Match.objectLike({ Type: 'forward' })] });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: PARKED_LISTENER_PORT, DefaultActions: [Match.objectLike({ Type: 'fixed-response' })] });
  });

  test('with a certificate serves HTTPS on 443 with a modern TLS policy and redirects HTTP to it', () => {
    const stack = new Stack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc');
    const network = new ProductionNetwork(stack, 'Network');
    new RedundantService(stack, 'Service', { vpc: network.vpc, image: IMAGE, certificate, domainName: 'app.example.com' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc' }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [{ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' }) }],
    });
  });

  test('with a hosted zone and domain creates a DNS-validated certificate and an alias record', () => {
    const stack = new Stack();
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z123', zoneName: 'example.com' });
    const network = new ProductionNetwork(stack, 'Network');
    new RedundantService(stack, 'Service', { vpc: network.vpc, image: IMAGE, hostedZone, domainName: 'app.example.com' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'app.example.com',
      ValidationMethod: 'DNS',
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'app.example.com.', Type: 'A', AliasTarget: Match.anyValue() });
  });

  test('lets only the load balancer reach the tasks, on the container port', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 8080,
      ToPort: 8080,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('LoadBalancerSecurityGroup'), 'GroupId'] },
    });
  });
});

describe('RedundantService: task hardening', () => {
  const { template } = build();

  test('runs the container as a non-root user, unprivileged, with a read-only root filesystem and a writable /tmp', () => {
    expect(containerOf(template)).toMatchObject({
      User: '1000',
      Privileged: false,
      ReadonlyRootFilesystem: true,
      MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false }],
      LinuxParameters: { Capabilities: { Drop: ['ALL'] }, InitProcessEnabled: true },
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Volumes: [{ Name: 'tmp' }] });
  });

  test('gives the container a hard memory limit equal to the task memory', () => {
    expect(containerOf(template)).toMatchObject({ Memory: 1024 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '512', Memory: '1024' });
  });

  test('logs to a KMS-encrypted log group with a retention', () => {
    expect(containerOf(template)).toMatchObject({
      LogConfiguration: { LogDriver: 'awslogs', Options: { mode: 'non-blocking', 'awslogs-group': { Ref: expect.stringMatching(/^ServiceLogs/) as unknown } } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 365,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ServiceLogKey'), 'Arn'] },
    });
  });

  test('has a task role separate from the execution role', () => {
    const [taskDefinition] = Object.values(template.findResources('AWS::ECS::TaskDefinition')) as Array<{
      Properties: { TaskRoleArn: unknown; ExecutionRoleArn: unknown };
    }>;
    expect(taskDefinition.Properties.TaskRoleArn).toBeDefined();
    expect(taskDefinition.Properties.TaskRoleArn).not.toEqual(taskDefinition.Properties.ExecutionRoleArn);
  });

  test('injects secrets with ECS secrets, never as plain environment variables', () => {
    const stack = new Stack();
    const network = new ProductionNetwork(stack, 'Network');
    const secret = new secretsmanager.Secret(stack, 'ApiKey');
    new RedundantService(stack, 'Service', {
      vpc: network.vpc,
      image: IMAGE,
      environment: { LOG_LEVEL: 'info' },
      secrets: { API_KEY: ecs.Secret.fromSecretsManager(secret) },
    });
    const container = containerOf(Template.fromStack(stack));
    expect(container).toMatchObject({ Secrets: [{ Name: 'API_KEY', ValueFrom: { Ref: expect.stringMatching(/^ApiKey/) as unknown } }] });
    expect(container.Environment).toEqual([{ Name: 'LOG_LEVEL', Value: 'info' }]);
  });
});

describe('RedundantService: options', () => {
  test('runs on ARM64 (Graviton) when asked', () => {
    build({ cpuArchitecture: ecs.CpuArchitecture.ARM64 }).template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
  });

  test('mixes in Fargate Spot behind one on-demand task when given a spot weight', () => {
    const { template } = build({ spotWeight: 3 });
    template.hasResourceProperties('AWS::ECS::Service', {
      CapacityProviderStrategy: [
        { CapacityProvider: 'FARGATE', Base: 1, Weight: 1 },
        { CapacityProvider: 'FARGATE_SPOT', Weight: 3 },
      ],
    });
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: Match.arrayWith(['FARGATE', 'FARGATE_SPOT']),
    });
  });

  test('turning Spot on or off changes only the capacity provider strategy (updated in place), never a launch type (which replaces the service)', () => {
    for (const spotWeight of [0, 3]) {
      const { template } = build({ spotWeight });
      template.hasResourceProperties('AWS::ECS::Service', { LaunchType: Match.absent(), CapacityProviderStrategy: Match.arrayWith([{ CapacityProvider: 'FARGATE', Base: 1, Weight: 1 }]) });
      template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', { CapacityProviders: Match.arrayWith(['FARGATE', 'FARGATE_SPOT']) });
    }
  });

  test('exposes the metrics the alarms will use', () => {
    const { service, stack } = build();
    expect(stack.resolve(service.metricTarget5xxCount().metricName)).toBe('HTTPCode_Target_5XX_Count');
    expect(stack.resolve(service.metricLoadBalancer5xxCount().metricName)).toBe('HTTPCode_ELB_5XX_Count');
    expect(stack.resolve(service.metricTargetResponseTime().metricName)).toBe('TargetResponseTime');
    expect(stack.resolve(service.metricRequestCount().metricName)).toBe('RequestCount');
    const running = service.metricRunningTaskCount();
    expect([running.namespace, running.metricName, Object.keys(running.dimensions ?? {})]).toEqual([
      'ECS/ContainerInsights',
      'RunningTaskCount',
      ['ClusterName', 'ServiceName'],
    ]);
  });
});

describe('RedundantService refuses bad props with a message that names the prop', () => {
  test.each<[string, Partial<RedundantServiceProps>, RegExp]>([
    ['one task', { desiredCount: 1 }, /desiredCount must be at least 2 .*\(got 1\); set allowSingleTask: true/],
    ['a CPU Fargate does not offer', { cpu: 300 }, /cpu must be one of 256 \| 512 \| 1024 .*\(got 300\)/],
    ['a memory size that does not fit the CPU', { cpu: 256, memoryLimitMiB: 4096 }, /memoryLimitMiB 4096 is not a Fargate size for cpu 256; allowed: 512 \| 1024 \| 2048/],
    ['a health check path without a leading slash', { healthCheck: { path: 'health' } }, /healthCheck\.path must start with '\/' \(got health\)/],
    ['a port out of range', { containerPort: 70000 }, /containerPort must be between 1 and 65535 \(got 70000\)/],
    ['a certificate without a domain', { certificate: acm.Certificate.fromCertificateArn(new Stack(), 'C', 'arn:aws:acm:us-east-1:111111111111:certificate/x') }, /certificate needs domainName/],
    ['a domain with no certificate or zone', { domainName: 'app.example.com' }, /domainName needs a certificate or a hostedZone/],
    ['root', { containerUser: '0:0' }, /containerUser must not be root \(got 0:0\)/],
    ['a timeout as long as the interval', { healthCheck: { interval: Duration.seconds(5), timeout: Duration.seconds(5) } }, /healthCheck\.timeout \(s\) must be between 2 and 4 \(got 5\) and shorter than the interval/],
    ['a stop timeout Fargate refuses', { stopTimeout: Duration.minutes(5) }, /stopTimeout \(s\) must be between 2 and 120 \(got 300\)/],
  ])('%s', (_what, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('accepts a single task when allowSingleTask says so', () => {
    build({ desiredCount: 1, allowSingleTask: true }).template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 1 });
  });
});
