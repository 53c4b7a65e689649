import { Annotations, Names, RemovalPolicy, Size, Stack, Tags, Token } from 'aws-cdk-lib';
import * as aps from 'aws-cdk-lib/aws-aps';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../private/acknowledge';
import { encryptedLogGroup, rotatingKey } from '../private/encryption';
import { admitPrometheusAlertManager } from '../private/topic-publishers';
import { collectorConfig } from './collector-config';
import { type PrometheusMonitoringProps, resolveMonitoringProps } from './prometheus-monitoring-props';
import { alertManagerConfig, prometheusRules } from './prometheus-rules';
import { toYaml } from './yaml';

/**
 * The AWS Distro for OpenTelemetry collector image, pinned: v0.49.0 is the newest release
 * (2026-07-10, https://github.com/aws-observability/aws-otel-collector/releases/tag/v0.49.0); each
 * release is supported until the next minor one.
 */
export const ADOT_COLLECTOR_IMAGE = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0';

/** The collector's name in the task definition, and its log stream prefix. */
export const COLLECTOR_CONTAINER_NAME = 'metrics-collector';

/**
 * Prometheus for a RedundantService, beside its CloudWatch alarms: an Amazon Managed Service for
 * Prometheus workspace (customer-managed key, rule and alert manager logs), a collector sidecar in
 * each task that scrapes the application's `/metrics` and remote-writes to the workspace, recording
 * and alerting rules, and an alert manager that sends every alert to an SNS topic.
 *
 * A sidecar because AMP's managed collectors scrape Amazon EKS and Amazon MSK clusters only
 * (https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-collector-how-to.html).
 */
export class PrometheusMonitoring extends Construct {
  public readonly workspace: aps.CfnWorkspace;
  public readonly ruleGroups: aps.CfnRuleGroupsNamespace;
  public readonly collector: ecs.ContainerDefinition;
  /** Encrypts the workspace's metrics. */
  public readonly encryptionKey: kms.IKey;
  /** The workspace's rule evaluation and alert manager logs. */
  public readonly logGroup: logs.LogGroup;
  /** The workspace's ARN (the alert manager's `aws:SourceArn` on the topic). */
  public readonly workspaceArn: string;
  /** The Prometheus-compatible query endpoint, ending in `/api/v1/`. */
  public readonly prometheusEndpoint: string;

  constructor(scope: Construct, id: string, props: PrometheusMonitoringProps) {
    const resolved = resolveMonitoringProps(props);
    super(scope, id);
    Tags.of(this).add('shipshape:component', 'observability');
    const { service } = props;

    this.encryptionKey = props.encryptionKey ?? rotatingKey(this, 'Key', 'shipshape Prometheus metrics');
    // Rule evaluation and alert manager logs, to a log group that must exist first
    // (https://docs.aws.amazon.com/prometheus/latest/APIReference/API_CreateLoggingConfiguration.html),
    // under the service's key, which CloudWatch Logs may use.
    this.logGroup = encryptedLogGroup(this, 'Logs', { key: service.encryptionKey, retention: resolved.logRetention });
    this.workspace = new aps.CfnWorkspace(this, 'Workspace', {
      alias: Names.uniqueResourceName(this, { maxLength: 100, separator: '-' }),
      // https://docs.aws.amazon.com/prometheus/latest/userguide/encryption-at-rest-Amazon-Service-Prometheus.html
      kmsKeyArn: this.encryptionKey.keyArn,
      loggingConfiguration: { logGroupArn: this.logGroup.logGroupArn },
    });
    // Metrics are data: the workspace outlives the stack (deleted only when its own create rolls back).
    this.workspace.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    this.workspaceArn = this.workspace.attrArn;
    this.prometheusEndpoint = this.workspace.attrPrometheusEndpoint;

    this.workspace.alertManagerDefinition = toYaml({
      alertmanager_config: toYaml(alertManagerConfig({ topicArn: props.topic.topicArn, region: Stack.of(this).region })),
    });
    if (!admitPrometheusAlertManager(props.topic, this.workspaceArn)) {
      Annotations.of(this).addWarningV2(
        'shipshape:prometheus-topic-not-admitted',
        'PrometheusMonitoring: topic is imported, so its policy cannot admit this workspace and SNS will refuse every alert; ' +
          'its owner must allow aps.amazonaws.com sns:Publish and sns:GetTopicAttributes with aws:SourceArn = workspaceArn (and kms:GenerateDataKey*, kms:Decrypt on its key), ' +
          'see https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-alertmanager-receiver-AMPpermission.html',
      );
    }

    this.ruleGroups = new aps.CfnRuleGroupsNamespace(this, 'Rules', {
      workspace: this.workspaceArn,
      name: 'shipshape-service',
      data: toYaml(prometheusRules(resolved.thresholds)),
    });

    this.collector = this.addCollector(service, resolved.collectorCpu, resolved.collectorMemoryMiB, {
      port: service.container.containerPort,
      metricsPath: resolved.metricsPath,
      scrapeIntervalSeconds: resolved.scrapeIntervalSeconds,
      remoteWriteUrl: `${this.prometheusEndpoint}remote_write`,
      region: Stack.of(this).region,
      memoryLimitMiB: resolved.collectorMemoryMiB,
    });
    // Remote write to this workspace only (https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-and-IAM.html).
    service.taskDefinition.addToTaskRolePolicy(
      new iam.PolicyStatement({ actions: ['aps:RemoteWrite'], resources: [this.workspaceArn] }),
    );
    acknowledge(
      service.taskDefinition.taskRole.node.tryFindChild('DefaultPolicy'),
      'NIST.800.53.R5-IAMNoInlinePolicy',
      'CDK generates this policy for this one task role, from statements each scoped to one resource (here remote write to this one workspace); it lives and dies with the role.',
    );
  }

  private addCollector(service: PrometheusMonitoringProps['service'], cpu: number, memoryMiB: number, config: Parameters<typeof collectorConfig>[0]): ecs.ContainerDefinition {
    const linuxParameters = new ecs.LinuxParameters(this, 'CollectorLinux', { initProcessEnabled: true });
    linuxParameters.dropCapabilities(ecs.Capability.ALL);
    const collector = service.taskDefinition.addContainer(COLLECTOR_CONTAINER_NAME, {
      containerName: COLLECTOR_CONTAINER_NAME,
      image: ecs.ContainerImage.fromRegistry(ADOT_COLLECTOR_IMAGE),
      // Not essential: a collector that stops loses metrics, never requests (an essential container
      // that stops stops its whole task, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html).
      // ECS restarts it in place; metrics from that task stop until it is back, and alerts say so.
      essential: false,
      enableRestartPolicy: true,
      cpu,
      memoryLimitMiB: memoryMiB,
      memoryReservationMiB: memoryMiB,
      // The image runs as its own unprivileged user and writes nothing to disk: the remote write
      // queue is in memory (https://github.com/aws-observability/aws-otel-collector/blob/v0.49.0/cmd/awscollector/Dockerfile).
      readonlyRootFilesystem: true,
      privileged: false,
      linuxParameters,
      // The collector reads its configuration from this variable when it is set
      // (https://github.com/aws-observability/aws-otel-collector/blob/v0.49.0/pkg/config/config_factory.go):
      // endpoint, region, scrape target, no secret; it signs with the task role.
      environment: { AOT_CONFIG_CONTENT: toYaml(collectorConfig(config)) },
      healthCheck: { command: ['CMD', '/healthcheck'] },
      logging: ecs.LogDrivers.awsLogs({
        logGroup: service.logGroup,
        streamPrefix: COLLECTOR_CONTAINER_NAME,
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
    });
    this.reserveRestForApplication(service, memoryMiB);
    acknowledge(
      service.taskDefinition,
      'AwsSolutions-ECS2',
      'The environment carries non-secret settings only: the application\'s, and the metrics collector\'s configuration (scrape target, workspace endpoint, region); secrets are injected from Secrets Manager through `secrets`.',
    );
    return collector;
  }

  /**
   * On Fargate the memory reserved by all containers must fit the task's
   * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_memory):
   * the application, whose hard limit is the whole task, reserves what the collector does not.
   */
  private reserveRestForApplication(service: PrometheusMonitoringProps['service'], collectorMemoryMiB: number): void {
    const task = service.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
    if (service.taskDefinition.defaultContainer !== service.container || Token.isUnresolved(task.memory)) {
      throw new Error('PrometheusMonitoring: the service\'s application container must be its task definition\'s first container, in a task of known memory');
    }
    task.addPropertyOverride('ContainerDefinitions.0.MemoryReservation', Number(task.memory) - collectorMemoryMiB);
  }
}
