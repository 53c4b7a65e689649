import { Annotations, CfnOutput, type CfnParameter, Duration, SecretValue, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import {
  AlarmRollback,
  type AppSecrets,
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
import { SERVICE_OUTPUTS } from './outputs';
import { alarmRecipientWarnings, type ServiceConfig, type ShipshapeConfig } from '../config';

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
  /** The image version parameter releases set (ECR images only). */
  public readonly imageVersion?: CfnParameter;
  public readonly pipeline?: ReleasePipeline;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    Tags.of(this).add('shipshape:layer', 'stateless');
    const { service } = props.config;
    const https = service.https;
    const { image, version } = this.image(service.image);
    this.imageVersion = version;
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
      environment: props.database.connectionEnvironment(),
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
    const { pipeline } = props.config;
    if (pipeline && this.imageVersion && 'repository' in service.image) {
      this.pipeline = new ReleasePipeline(this, 'Release', {
        service: this.service,
        repository: this.repository(service.image.repository),
        imageVersion: this.imageVersion,
        source: pipeline.source,
        manualApproval: pipeline.manualApproval,
        migration: pipeline.migrationCommand && {
          command: pipeline.migrationCommand,
          environment: props.database.connectionEnvironment(),
          secrets: props.database.connectionSecrets(),
          imageVersion: imageVersionParameter(this, 'MigrationImageVersion', service.image.tag, 'The image version the migration task runs (set by the release pipeline)'),
        },
        topic: this.alarms.topic,
      });
      if (this.pipeline.migrationSecurityGroup) props.database.allowConnectionsFrom(this.pipeline.migrationSecurityGroup, 'the migration task');
      new CfnOutput(this, SERVICE_OUTPUTS.pipeline, { value: this.pipeline.pipeline.pipelineName, description: 'The release pipeline (shipshape rollback)' });
    }
  }

  private repository(name: string): ecr.IRepository {
    return (this.node.tryFindChild('Repository') as ecr.IRepository | undefined) ?? ecr.Repository.fromRepositoryName(this, 'Repository', name);
  }

  /** An ECR image's version is a parameter: releases set it through CloudFormation, and a later cdk deploy keeps it. */
  private image(source: ServiceConfig['image']): { image: ecs.ContainerImage; version?: CfnParameter } {
    if ('uri' in source) return { image: ecs.ContainerImage.fromRegistry(source.uri) };
    const version = imageVersionParameter(this, 'ImageVersion', source.tag, 'The image version the service runs (set by releases)');
    return { image: new VersionedEcrImage(this.repository(source.repository), version.valueAsString), version };
  }
}
