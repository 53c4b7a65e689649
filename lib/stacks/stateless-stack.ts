import { Annotations, CfnOutput, type CfnParameter, Duration, IgnoreMode, SecretValue, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AlarmRollback,
  type AppSecrets,
  type ImageRepository,
  imageVersionParameter,
  type ProductionNetwork,
  RedundantService,
  ReleasePipeline,
  ReleaseStrategy,
  type ResilientDatabase,
  type RestoreDrill,
  RotationRollout,
  RotationFailureSignal,
  ServiceAlarms,
  ServiceDashboard,
  VersionedEcrImage,
} from '../../constructs';
import { NatRecoveryNotifications } from '../../constructs/network';
import { PrometheusMonitoring } from '../../constructs/observability';
import { SERVICE_OUTPUTS } from './outputs';
import { alarmRecipientWarnings, ConfigError, type ShipshapeConfig, usesKitRepository } from '../config';

export interface StatelessStackProps extends StackProps {
  readonly config: ShipshapeConfig;
  /** The network from the stateful stack. */
  readonly network: ProductionNetwork;
  /** The database from the stateful stack: the service may connect, and gets its login injected. */
  readonly database: ResilientDatabase;
  /**
   * The application's secrets from the stateful stack, injected by name.
   * @default - none
   */
  readonly appSecrets?: AppSecrets;
  /** The restore drill from the stateful stack: its alarms live here. */
  readonly drill: RestoreDrill;
  /**
   * The kit's image repository from the stateful stack: releases come from it when the
   * configuration sets no `service.image`.
   * @default - none; required without `service.image`
   */
  readonly imageRepository?: ImageRepository;
  /**
   * The directory of the reference application (with its Dockerfile and .dockerignore): `cdk
   * deploy` builds it into the service's first image when the configuration sets no `service.image`.
   * @default - none; required without `service.image`
   */
  readonly referenceAppDirectory?: string;
}

/**
 * What can be replaced at any time without touching data: the service, its alarms and its
 * release pipeline. It only references the stateful stack, never the other way round.
 */
export class StatelessStack extends Stack {
  public readonly service: RedundantService;
  public readonly rotationRollout: RotationRollout;
  public readonly alarms: ServiceAlarms;
  /** Stops a running deployment the moment one of its rollback alarms goes to ALARM. */
  public readonly alarmRollback: AlarmRollback;
  public readonly dashboard: ServiceDashboard;
  /** Amazon Managed Service for Prometheus and the collector sidecar (`observability.prometheus`). */
  public readonly prometheus?: PrometheusMonitoring;
  /** The image version parameter releases set (ECR images only). */
  public readonly imageVersion?: CfnParameter;
  /** The repository releases come from (ECR images only). */
  public readonly repository?: ecr.IRepository;
  /** The reference application's image, built by `cdk deploy`: the first image of the kit's repository. */
  public readonly referenceAppImage?: ecrAssets.DockerImageAsset;
  public readonly pipeline?: ReleasePipeline;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    Tags.of(this).add('shipshape:layer', 'stateless');
    const { service } = props.config;
    const https = service.https;
    const { image, version, repository, initialImage, asset } = this.image(props);
    this.imageVersion = version;
    this.repository = repository;
    this.referenceAppImage = asset;
    const kit = usesKitRepository(service.image);
    this.service = new RedundantService(this, 'Service', {
      vpc: props.network.vpc,
      taskSubnets: props.network.appSubnets,
      loadBalancerSubnets: props.network.publicSubnets,
      image,
      containerPort: service.containerPort,
      containerUser: service.containerUser,
      desiredCount: service.desiredCount,
      allowSingleTask: service.desiredCount < 2,
      maxCount: service.maxCount,
      cpu: service.cpu,
      memoryLimitMiB: service.memoryMiB,
      cpuArchitecture: service.cpuArchitecture === 'arm64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
      spotWeight: service.spotWeight,
      healthCheck: { path: service.healthCheckPath },
      releaseStrategy: service.releaseStrategy === 'rolling' ? ReleaseStrategy.ROLLING : ReleaseStrategy.BLUE_GREEN,
      bakeTime: service.releaseStrategy === 'blue-green' ? Duration.minutes(service.bakeMinutes) : undefined,
      smokeTest: service.releaseStrategy === 'blue-green' ? { path: service.smokeTestPath } : undefined,
      deletionProtection: service.deletionProtection,
      logRetention: service.logRetentionDays,
      environment: { ...props.database.connectionEnvironment(), ...(kit ? referenceAppEnvironment(props.config) : {}) },
      secrets: { ...props.database.connectionSecrets(), ...props.appSecrets?.containerSecrets() },
      domainName: https?.domainName,
      certificate: https?.certificateArn ? acm.Certificate.fromCertificateArn(this, 'Certificate', https.certificateArn) : undefined,
      hostedZone:
        https?.hostedZoneId && https.hostedZoneName
          ? route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: https.hostedZoneId, zoneName: https.hostedZoneName })
          : undefined,
    });
    props.database.allowConnectionsFrom(this.service, 'the service');
    this.rotationRollout = new RotationRollout(this, 'SecretRollout', {
      service: this.service.service,
      rotatedSecrets: [props.database.connectionSecret],
      operatorSecrets: props.appSecrets?.all,
      encryptionKey: this.service.encryptionKey,
    });
    const { alarms } = props.config;
    // Here, beside the alarm topic it notifies, so the rule can target the topic.
    const rotated = [props.database.masterSecret, ...(props.database.applicationUser ? [props.database.applicationUser.secret] : [])];
    const rotationFailures = new RotationFailureSignal(this, 'RotationFailures', { secrets: rotated });
    this.alarms = new ServiceAlarms(this, 'Alarms', {
      service: this.service,
      database: props.database,
      drill: props.drill,
      rotationFailures,
      emails: alarms.emails,
      webhooks: alarms.webhooks,
      // A dynamic reference: the URL is never in the template.
      secretWebhooks: alarms.webhookSecrets.map((name) => SecretValue.secretsManager(name)),
      thresholds: alarms.thresholds,
      disabled: alarms.disabled,
      fastErrorMetric: alarms.fastErrorMetric && new cloudwatch.Metric({ ...alarms.fastErrorMetric, dimensionsMap: alarms.fastErrorMetric.dimensions, period: Duration.seconds(10) }),
    });
    // Stops a release the moment a rollback alarm goes off; ECS's own alarm watching stays as the safety net.
    this.alarmRollback = new AlarmRollback(this, 'AlarmRollback', {
      service: this.service.service,
      alarms: this.alarms.rollbackAlarms(),
      topic: this.alarms.topic,
      encryptionKey: this.service.encryptionKey,
    });
    const { prometheus } = props.config.observability;
    if (prometheus) {
      // The service's key: its policy already holds what the workspace needs, and a workspace keeps its key for life.
      this.prometheus = new PrometheusMonitoring(this, 'Prometheus', {
        service: this.service,
        topic: this.alarms.topic,
        encryptionKey: this.service.encryptionKey,
        metricsPath: prometheus.metricsPath,
        scrapeInterval: Duration.seconds(prometheus.scrapeIntervalSeconds),
      });
      new CfnOutput(this, 'PrometheusQueryEndpoint', { value: this.prometheus.prometheusEndpoint, description: 'The Prometheus-compatible query endpoint (awscurl --service aps; Grafana data source)' });
    }
    // The budget profile allows alarms that reach nobody (production refuses them), but never silently.
    for (const warning of alarmRecipientWarnings(props.config)) {
      Annotations.of(this.alarms).acknowledgeWarning('shipshape:alarms-reach-nobody', `the ${props.config.profile} profile allows it; said at synth and by shipshape plan`);
      Annotations.of(this).addInfo(`WARNING: ${warning}`);
    }
    new NatRecoveryNotifications(this, 'NatRecovery', { network: props.network, topic: this.alarms.topic });
    this.dashboard = new ServiceDashboard(this, 'Dashboard', { service: this.service, database: props.database, drill: props.drill, alarms: this.alarms });
    new CfnOutput(this, 'ServiceUrl', { value: this.service.url, description: 'Where clients reach the service' });
    new CfnOutput(this, SERVICE_OUTPUTS.service, { value: this.service.service.serviceArn, description: 'The ECS service (shipshape rollback, status)' });
    new CfnOutput(this, SERVICE_OUTPUTS.cluster, { value: this.service.cluster.clusterArn, description: 'The ECS cluster' });
    new CfnOutput(this, SERVICE_OUTPUTS.logGroup, { value: this.service.logGroup.logGroupName, description: "The service's log group (shipshape logs)" });
    new CfnOutput(this, SERVICE_OUTPUTS.loadBalancerDns, {
      value: this.service.loadBalancer.loadBalancerDnsName,
      description: "The load balancer's DNS name: point your domain's CNAME (or Route 53 alias) at it when you bring your own certificate",
    });
    if (this.repository) {
      new CfnOutput(this, SERVICE_OUTPUTS.imageRepository, { value: this.repository.repositoryUri, description: 'The image repository releases come from (docker push here)' });
    }
    const { pipeline } = props.config;
    if (pipeline && this.imageVersion && this.repository) {
      const migrationVersion =
        pipeline.migrationCommand &&
        imageVersionParameter(this, 'MigrationImageVersion', 'tag' in service.image ? service.image.tag : undefined, 'The image version the migration task runs (set by the release pipeline)');
      this.pipeline = new ReleasePipeline(this, 'Release', {
        service: this.service,
        repository: this.repository,
        imageVersion: this.imageVersion,
        source: pipeline.source,
        manualApproval: pipeline.manualApproval,
        migration: pipeline.migrationCommand && {
          command: pipeline.migrationCommand,
          environment: props.database.connectionEnvironment(),
          secrets: props.database.connectionSecrets(),
          imageVersion: migrationVersion,
          // The same image as the service: the reference application until the first release, so a first deploy can migrate before any push.
          initialImage,
        },
        topic: this.alarms.topic,
        // The service's key already admits CloudWatch Logs: one key fewer.
        encryptionKey: this.service.encryptionKey,
      });
      if (this.pipeline.migrationSecurityGroup) props.database.allowConnectionsFrom(this.pipeline.migrationSecurityGroup, 'the migration task');
      new CfnOutput(this, SERVICE_OUTPUTS.pipeline, { value: this.pipeline.pipeline.pipelineName, description: 'The release pipeline (shipshape rollback)' });
    }
  }

  /**
   * The service's image. From ECR, its version is a parameter: releases set it through
   * CloudFormation, and a later `cdk deploy` keeps it (the CDK CLI passes UsePreviousValue). From
   * the kit's repository, the parameter starts at `initial`: the service runs the reference
   * application built by `cdk deploy` until the first release sets a version.
   */
  private image(props: StatelessStackProps): ServiceImage {
    const source = props.config.service.image;
    if ('uri' in source) return { image: ecs.ContainerImage.fromRegistry(source.uri) };
    if ('repository' in source) {
      const repository = ecr.Repository.fromRepositoryName(this, 'Repository', source.repository);
      const version = imageVersionParameter(this, 'ImageVersion', source.tag, 'The image version the service runs (set by releases)');
      return { image: new VersionedEcrImage(repository, version.valueAsString), version, repository };
    }
    if (!props.imageRepository) throw new Error('StatelessStack: without service.image, the kit\'s imageRepository (from the stateful stack) is required');
    // Imported by attributes: the pipeline's push rule and the pull grants are created here, not in the stateful stack.
    const repository = ecr.Repository.fromRepositoryAttributes(this, 'Repository', {
      repositoryArn: props.imageRepository.repository.repositoryArn,
      repositoryName: props.imageRepository.repository.repositoryName,
    });
    const asset = this.referenceAppAsset(props);
    const initialImage = ecs.ContainerImage.fromDockerImageAsset(asset);
    const version = imageVersionParameter(this, 'ImageVersion', undefined, `The image version the service runs (set by releases; "initial": the reference application built by cdk deploy)`);
    return { image: new VersionedEcrImage(repository, version.valueAsString, { initialImage }), version, repository, initialImage, asset };
  }

  /** The reference application, built for the service's CPU architecture by `cdk deploy` (never at synth). */
  private referenceAppAsset(props: StatelessStackProps): ecrAssets.DockerImageAsset {
    const directory = props.referenceAppDirectory;
    if (!directory || !fs.existsSync(path.join(directory, 'Dockerfile'))) {
      // A configuration problem: bin/app.ts prints it without a stack trace.
      throw new ConfigError([
        {
          path: 'service.image',
          message:
            `not set, so the service's first image is the reference application, built from ${directory ?? 'app/'}; ` +
            'that directory has no Dockerfile (the installed package does not ship app/). Set service.image to your image: ' +
            '{ "repository": "<ECR repository name>", "tag": "<tag>" } to release from a repository of yours, or { "uri": "registry/image:tag" } for a fixed image',
        },
      ]);
    }
    const asset = new ecrAssets.DockerImageAsset(this, 'ReferenceAppImage', {
      directory,
      platform: props.config.service.cpuArchitecture === 'arm64' ? ecrAssets.Platform.LINUX_ARM64 : ecrAssets.Platform.LINUX_AMD64,
      ignoreMode: IgnoreMode.DOCKER,
    });
    return asset;
  }
}

interface ServiceImage {
  readonly image: ecs.ContainerImage;
  readonly version?: CfnParameter;
  readonly repository?: ecr.IRepository;
  /** The image the service runs before the first release (the kit's repository only). */
  readonly initialImage?: ecs.ContainerImage;
  readonly asset?: ecrAssets.DockerImageAsset;
}

/**
 * What the reference application reads besides the database: its name (the `service` dimension of
 * its fast error metric) and the most tasks that run at once (blue and green together during a
 * release) to size its connection pool.
 */
function referenceAppEnvironment(config: ShipshapeConfig): Record<string, string> {
  return { SHIPSHAPE_SERVICE_NAME: config.appName, SHIPSHAPE_MAX_TASKS: String(2 * config.service.maxCount) };
}
