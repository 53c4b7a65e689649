import { Duration, Names, Size, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { accessLogBucket, sendAccessLogs } from '../private/access-log-bucket';
import { BlueGreenRouting } from './blue-green-routing';
import { DeploymentGuard } from './deployment-guard';
import { dnsValidatedCertificate, serviceListeners, serviceTargetGroup } from './service-load-balancer';
import { allowLogsToUseKey, encryptedLogGroup, rotatingKey } from '../private/encryption';
import type { HealthCheckTiming } from './health-timing';
import type { RedundantServiceProps } from './redundant-service-props';
import { ReleaseStrategy } from './release-options';
import { resolveServiceProps } from './resolve-service-props';
import { acknowledgeServiceFindings } from './service-acknowledgments';

export { PARKED_LISTENER_PORT } from './service-load-balancer';

/** The container's name in the task definition. */
export const APP_CONTAINER_NAME = 'app';

/** An alarm that rolls a deployment back, and how long it takes to go off after a bad release starts serving. */
export interface RollbackTrigger {
  /** The alarm's explicit name (an alarm object would make the service depend on its own alarm). */
  readonly alarmName: string;
  readonly detectionSeconds: number;
}

/**
 * An ECS Fargate service of at least 2 tasks spread over the VPC's AZs, behind an internet-facing
 * ALB; self-healing through container health checks, fast ALB target checks and ECS task
 * replacement; blue/green releases with a pre-traffic smoke test and alarm rollback (or rolling
 * deploys), both behind the circuit breaker; hardened tasks.
 */
export class RedundantService extends Construct {
  public readonly cluster: ecs.Cluster;
  public readonly service: ecs.FargateService;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  public readonly container: ecs.ContainerDefinition;
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The target group production traffic reaches first (blue/green: the two swap at every release). */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Blue/green: the second target group, the listener rules and the smoke test. */
  public readonly blueGreen?: BlueGreenRouting;
  public readonly releaseStrategy: ReleaseStrategy;
  /** Where the tasks run (one-off tasks such as migrations belong there too). */
  public readonly taskSubnets: ec2.SubnetSelection;
  /** Blue/green: how long a new revision bakes under the rollback alarms. */
  public readonly bakeTime?: Duration;
  /** Blue/green: refuses a `cdk deploy` that would change the service while a deployment of it runs or bakes. */
  public readonly deploymentGuard?: DeploymentGuard;
  /**
   * The listener clients reach: HTTPS on 443 when a certificate is in play, else HTTP on 80. It keeps
   * its logical id either way, so turning HTTPS on or off updates it in place.
   */
  public readonly listener: elbv2.ApplicationListener;
  /** Port 80's redirect to HTTPS; parked on `PARKED_LISTENER_PORT` and closed while HTTPS is off. */
  public readonly redirectListener: elbv2.ApplicationListener;
  public readonly logGroup: logs.LogGroup;
  private readonly applicationErrors: logs.MetricFilter;
  /** Encrypts the service's logs; CloudWatch Logs may use it (for companions such as rollouts). */
  public readonly encryptionKey: kms.IKey;
  /** The ALB health check settings in force, for recovery-time arithmetic. */
  public readonly healthCheckTiming: HealthCheckTiming;
  /** The URL clients use. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: RedundantServiceProps) {
    const resolved = resolveServiceProps(props);
    super(scope, id);
    Tags.of(this).add('shipshape:component', 'service');
    this.releaseStrategy = resolved.releaseStrategy;
    const blueGreen = this.releaseStrategy === ReleaseStrategy.BLUE_GREEN;
    this.bakeTime = blueGreen ? resolved.bakeTime : undefined;
    this.taskSubnets = props.taskSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const { port, desiredCount, spotWeight } = resolved;

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENHANCED,
      // Always: the service names capacity providers even without Spot (see the service below).
      enableFargateCapacityProviders: true,
    });

    const key = props.encryptionKey ?? rotatingKey(this, 'LogKey', 'shipshape service logs');
    if (!props.encryptionKey) allowLogsToUseKey(key);
    this.encryptionKey = key;
    this.logGroup = encryptedLogGroup(this, 'Logs', { key, retention: resolved.logRetention });
    // Counts application log lines with ERROR (plain text, or JSON such as Powertools' "level":"ERROR").
    this.applicationErrors = new logs.MetricFilter(this, 'ApplicationErrors', {
      logGroup: this.logGroup,
      filterPattern: logs.FilterPattern.anyTerm('ERROR'),
      // A filter on plain text cannot set dimensions: the namespace names the service instead.
      metricNamespace: `shipshape/${Names.uniqueResourceName(this, { maxLength: 100, separator: '-' })}`,
      metricName: 'ApplicationErrors',
      metricValue: '1',
      defaultValue: 0,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: resolved.cpu,
      memoryLimitMiB: resolved.memoryLimitMiB,
      runtimePlatform: {
        cpuArchitecture: resolved.cpuArchitecture,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      volumes: [{ name: 'tmp' }],
    });
    const linuxParameters = new ecs.LinuxParameters(this, 'Linux', { initProcessEnabled: true });
    linuxParameters.dropCapabilities(ecs.Capability.ALL);
    this.container = this.taskDefinition.addContainer(APP_CONTAINER_NAME, {
      containerName: APP_CONTAINER_NAME,
      image: props.image,
      memoryLimitMiB: resolved.memoryLimitMiB,
      portMappings: [{ containerPort: port, name: 'http', appProtocol: ecs.AppProtocol.http }],
      user: resolved.user,
      readonlyRootFilesystem: true,
      privileged: false,
      linuxParameters,
      environment: props.environment,
      secrets: props.secrets,
      stopTimeout: resolved.stopTimeout,
      healthCheck: {
        command: resolved.containerHealthCommand,
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: APP_CONTAINER_NAME,
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
    });
    this.container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount,
      vpcSubnets: this.taskSubnets,
      assignPublicIp: false,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      deploymentStrategy: blueGreen ? ecs.DeploymentStrategy.BLUE_GREEN : ecs.DeploymentStrategy.ROLLING,
      bakeTime: this.bakeTime,
      healthCheckGracePeriod: resolved.gracePeriod,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableExecuteCommand: false,
      // A capacity provider strategy even without Spot, never a launch type: LaunchType is replaced on
      // change and CapacityProviderStrategy is updated in place, so turning Spot on or off keeps the
      // service (and the routing ECS manages for it).
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-service.html
      capacityProviderStrategies: [
        { capacityProvider: 'FARGATE', base: 1, weight: 1 },
        ...(spotWeight > 0 ? [{ capacityProvider: 'FARGATE_SPOT', weight: spotWeight }] : []),
      ],
    });
    // Keep tasks spread when an AZ comes back after an outage.
    (this.service.node.defaultChild as ecs.CfnService).availabilityZoneRebalancing = 'ENABLED';

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: props.loadBalancerSubnets ?? { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
      deletionProtection: resolved.deletionProtection,
    });
    sendAccessLogs(this.loadBalancer, accessLogBucket(this, 'AccessLogs', resolved.accessLogRetention));

    this.healthCheckTiming = resolved.healthCheckTiming;
    this.targetGroup = serviceTargetGroup(this, 'Targets', props, resolved);
    if (!blueGreen) {
      this.targetGroup.addTarget(this.service.loadBalancerTarget({ containerName: APP_CONTAINER_NAME, containerPort: port }));
    }

    const certificate = props.certificate ?? dnsValidatedCertificate(this, props);
    // Blue/green: the listener rules route (ECS manages their weights); the default answers nothing.
    const defaultAction = blueGreen
      ? elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not found' })
      : elbv2.ListenerAction.forward([this.targetGroup]);
    const listeners = serviceListeners(this.loadBalancer, certificate, defaultAction);
    this.listener = listeners.serving;
    this.redirectListener = listeners.redirect;
    if (props.hostedZone && props.domainName) {
      new route53.ARecord(this, 'Alias', {
        zone: props.hostedZone,
        recordName: props.domainName,
        target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.loadBalancer)),
      });
    }
    this.url = `${certificate ? 'https' : 'http'}://${props.domainName ?? this.loadBalancer.loadBalancerDnsName}`;
    if (blueGreen) {
      this.blueGreen = new BlueGreenRouting(this, 'Release', {
        service: this.service,
        containerName: APP_CONTAINER_NAME,
        containerPort: port,
        loadBalancer: this.loadBalancer,
        listener: this.listener,
        blue: this.targetGroup,
        green: serviceTargetGroup(this, 'AlternateTargets', props, resolved),
        host: props.domainName ?? this.loadBalancer.loadBalancerDnsName,
        vpc: props.vpc,
        smokeTestSubnets: this.taskSubnets,
        smokeTest: resolved.smokeTest,
        key,
        logRetention: resolved.logRetention,
      });
      if (props.deploymentGuard ?? true) {
        this.deploymentGuard = new DeploymentGuard(this, 'DeploymentGuard', {
          service: this.service,
          taskDefinition: this.taskDefinition,
          key,
          logRetention: resolved.logRetention,
        });
      }
    }

    const scaling = this.service.autoScaleTaskCount({
      minCapacity: desiredCount,
      maxCapacity: resolved.maxCount,
    });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: resolved.targetCpuPercent });
    if (!blueGreen) {
      // Per-target request scaling follows one target group: after a blue/green swap it would read zero.
      scaling.scaleOnRequestCount('Requests', {
        requestsPerTarget: resolved.targetRequestsPerTaskPerMinute,
        targetGroup: this.targetGroup,
      });
    }
    acknowledgeServiceFindings(this, {
      https: certificate !== undefined,
      deletionProtection: resolved.deletionProtection,
      environment: Object.keys(props.environment ?? {}).length > 0,
    });
  }

  /**
   * Fails a deployment, and rolls it back, when any of these alarms goes to ALARM during the
   * deployment or (blue/green) the bake. The bake must outlast the slowest alarm's detection time.
   */
  public rollBackOn(triggers: RollbackTrigger[]): void {
    const slowest = Math.max(0, ...triggers.map((t) => t.detectionSeconds));
    if (this.bakeTime && this.bakeTime.toSeconds() < slowest) {
      const names = triggers.filter((t) => t.detectionSeconds === slowest).map((t) => t.alarmName);
      throw new Error(
        `RedundantService: bakeTime (${this.bakeTime.toSeconds()} s) is shorter than the detection time of rollback alarm ${names.join(', ')} (${slowest} s); ` +
          `set bakeTime to at least ${Math.ceil(slowest / 60)} minutes, or make that alarm faster`,
      );
    }
    this.service.enableDeploymentAlarms(
      triggers.map((t) => t.alarmName),
      { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM },
    );
  }

  /** The security group rules of the tasks; allow a database or cache to be reached from here. */
  public get connections(): ec2.Connections {
    return this.service.connections;
  }

  /** Requests the load balancer received. @default sum over 1 minute */
  public metricRequestCount(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.loadBalancer.metrics.requestCount(options);
  }

  /** 5xx responses the load balancer itself generated (no healthy target, timeouts). @default sum over 1 minute */
  public metricLoadBalancer5xxCount(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, options);
  }

  /** 5xx answers, from the load balancer and the tasks, as a percentage of requests. @default over 1 minute */
  public metric5xxRatePercent(options?: { readonly period?: Duration; readonly label?: string }): cloudwatch.MathExpression {
    const period = options?.period ?? Duration.minutes(1);
    return new cloudwatch.MathExpression({
      expression: '100 * (FILL(elb, 0) + FILL(target, 0)) / requests',
      usingMetrics: {
        elb: this.metricLoadBalancer5xxCount({ period }),
        target: this.metricTarget5xxCount({ period }),
        requests: this.metricRequestCount({ period }),
      },
      period,
      label: options?.label ?? '5xx % of requests',
    });
  }

  /** 5xx responses from the tasks. @default sum over 1 minute */
  public metricTarget5xxCount(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    // Blue/green moves production between two target groups: the load balancer sees both.
    return this.blueGreen
      ? this.loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, options)
      : this.targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, options);
  }

  /** Seconds from the request leaving the ALB to the response arriving. @default average over 1 minute */
  public metricTargetResponseTime(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.blueGreen ? this.loadBalancer.metrics.targetResponseTime(options) : this.targetGroup.metrics.targetResponseTime(options);
  }

  /** Targets failing health checks. @default average over 1 minute */
  public metricUnhealthyHostCount(options?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.acrossTargetGroups((tg) => tg.metrics.unhealthyHostCount(options), options);
  }

  /** Targets passing health checks; published every minute, with or without traffic. @default minimum over 1 minute */
  public metricHealthyHostCount(options?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.acrossTargetGroups((tg) => tg.metrics.healthyHostCount({ statistic: 'Minimum', ...options }), options);
  }

  /** Tasks running, from Container Insights. @default average over 1 minute */
  public metricRunningTaskCount(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.containerInsights('RunningTaskCount', options);
  }

  /** Tasks the service wants running, from Container Insights. @default average over 1 minute */
  public metricDesiredTaskCount(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.containerInsights('DesiredTaskCount', options);
  }

  /** Connections the ALB refused because it hit its connection limit. @default sum over 1 minute */
  public metricRejectedConnectionCount(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.loadBalancer.metrics.rejectedConnectionCount(options);
  }

  /** The service's CPU use, percent of what its tasks reserve. @default average over 1 minute */
  public metricCpuUtilization(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.service.metricCpuUtilization({ period: Duration.minutes(1), ...options });
  }

  /** The service's memory use, percent of what its tasks reserve. @default average over 1 minute */
  public metricMemoryUtilization(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.service.metricMemoryUtilization({ period: Duration.minutes(1), ...options });
  }

  /** Application log lines containing ERROR (a metric filter on the container log). @default sum over 1 minute */
  public metricApplicationErrors(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.applicationErrors.metric({ statistic: 'Sum', period: Duration.minutes(1), ...options });
  }

  /** A per-target-group metric; blue/green: the sum over both target groups, whichever is live. */
  private acrossTargetGroups(
    metric: (tg: elbv2.ApplicationTargetGroup) => cloudwatch.Metric,
    options?: cloudwatch.MetricOptions,
  ): cloudwatch.IMetric {
    const blue = metric(this.targetGroup);
    const green = this.blueGreen?.green;
    if (!green) return blue;
    // Ids unique per metric, so a graph can show several of these expressions.
    const [b, g] = [`blue${blue.metricName}`, `green${blue.metricName}`];
    return new cloudwatch.MathExpression({
      expression: `FILL(${b}, 0) + FILL(${g}, 0)`,
      usingMetrics: { [b]: blue, [g]: metric(green) },
      period: options?.period ?? Duration.minutes(1),
      label: options?.label ?? blue.metricName,
    });
  }

  private containerInsights(metricName: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName,
      dimensionsMap: { ClusterName: this.cluster.clusterName, ServiceName: this.service.serviceName },
      statistic: 'Average',
      period: Duration.minutes(1),
      ...options,
    });
  }

}
