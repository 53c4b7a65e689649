import { CfnOutput, CrossStackReferences, Duration, Fn, ReferenceStrength, RemovalPolicy, Stack, type StackProps, Tags, TimeZone } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { AppSecrets, DatabaseEngine, type DrillSource, ImageRepository, ProductionNetwork, ResilientDatabase, RestoreDrill, type RestoreDrillProps } from '../../constructs';
import { NatDevice } from '../../constructs/network';
import { RetryableCreate } from '../../constructs/private/retryable-create';
import { type DatabaseConfig, type DrillConfig, type ShipshapeConfig, usesKitRepository } from '../config';
import { DRILL_OUTPUTS, SERVICE_OUTPUTS } from './outputs';

export interface StatefulStackProps extends StackProps {
  readonly config: ShipshapeConfig;
}

/**
 * What holds data or is slow to rebuild: the network, the database and its backups, the
 * secrets, the kit's image repository. Termination protection is on: deleting it is a decision. A first create that fails
 * turns it off again as it rolls back (`RetryableCreate`), so `cdk deploy` can delete the failed
 * stack and create it again.
 */
export class StatefulStack extends Stack {
  public readonly network: ProductionNetwork;
  public readonly database: ResilientDatabase;
  /** The application's own secrets (undefined when the configuration declares none). */
  public readonly appSecrets?: AppSecrets;
  public readonly restoreDrill: RestoreDrill;
  /** The kit's image repository (undefined when the configuration sets service.image): its images outlive the stateless stack. */
  public readonly imageRepository?: ImageRepository;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, { terminationProtection: true, ...props });
    const retryable = this.terminationProtection ? new RetryableCreate(this, 'RetryableCreate') : undefined;
    Tags.of(this).add('shipshape:layer', 'stateful');
    const { network, database, secrets } = props.config;
    this.network = new ProductionNetwork(this, 'Network', {
      maxAzs: network.maxAzs,
      natStrategy: network.natStrategy,
      natDevice: network.natDevice,
      natInstanceType: network.natDevice === NatDevice.INSTANCE ? new ec2.InstanceType(network.natInstanceType) : undefined,
      cidr: network.cidr,
      flowLogRetention: network.flowLogRetentionDays,
      // One key fewer: the flow logs share the key RetryableCreate makes first for its own log.
      // Without termination protection there is none, and the network makes its own.
      encryptionKey: retryable?.encryptionKey,
    });
    this.database = new ResilientDatabase(this, 'Database', {
      vpc: this.network.vpc,
      vpcSubnets: this.network.dataSubnets,
      functionSubnets: this.network.appSubnets,
      ...databaseProps(database),
    });
    const secretEntries = Object.entries(secrets);
    if (secretEntries.length > 0) {
      this.appSecrets = new AppSecrets(this, 'AppSecrets', {
        secrets: secretEntries.map(([name, source]) => ({ name, source })),
        encryptionKey: this.database.encryptionKey,
      });
    }
    this.strengthenServiceReferences();
    this.restoreDrill = new RestoreDrill(this, 'RestoreDrill', { database: this.database, ...drillProps(props.config.drill) });
    // The CLI (`shipshape drill run|status`) finds the drill through these outputs.
    new CfnOutput(this, DRILL_OUTPUTS.stateMachine, { value: this.restoreDrill.stateMachine.stateMachineArn, description: 'Restore drill state machine' });
    new CfnOutput(this, DRILL_OUTPUTS.reportBucket, { value: this.restoreDrill.reportBucket.bucketName, description: 'Restore drill reports' });
    if (usesKitRepository(props.config.service.image)) {
      const source = props.config.pipeline?.source;
      this.imageRepository = new ImageRepository(this, 'Images', { watchedTag: source?.kind === 'ecr' ? source.tag : undefined });
      new CfnOutput(this, SERVICE_OUTPUTS.imageRepository, { value: this.imageRepository.repository.repositoryUri, description: 'The image repository releases come from (docker push here)' });
    }
  }

  /**
   * The values the running service depends on are strong references (exports): the app's
   * default weak references (`Fn::GetStackOutput`) neither block nor propagate a change, so a
   * replaced secret, database or security group would leave the service on the old one
   * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html).
   * With an export, CloudFormation refuses to replace them while the service uses them.
   * Values that come and go with configuration (drill, alarms) stay weak: an export that a
   * consumer stops using would block the deploy that removes it.
   */
  private strengthenServiceReferences(): void {
    const { database } = this;
    const used = [database.connectionSecret, database.masterSecret, ...database.connections.securityGroups, database.securityGroup, database.cluster ?? database.instance, database.proxy, ...(this.appSecrets?.all ?? [])];
    for (const construct of used) if (construct) CrossStackReferences.of(construct).produce(ReferenceStrength.STRONG);
  }

  /**
   * The region's first three zones, resolved at deploy time (`Fn::GetAZs`), even when the stack
   * has an explicit environment: synth never needs an AZ lookup (AWS credentials), and no zone
   * name is hardcoded in the template.
   */
  public override get availabilityZones(): string[] {
    return [0, 1, 2].map((i) => Fn.select(i, Fn.getAzs()));
  }
}

function databaseProps(database: DatabaseConfig) {
  const { backup } = database;
  const days = (n: number | undefined) => (n === undefined ? undefined : Duration.days(n));
  return {
    engine: database.engine,
    postgresVersion: database.postgresVersion,
    minCapacity: database.minCapacity,
    maxCapacity: database.maxCapacity,
    readers: database.readers,
    instanceType: new ec2.InstanceType(database.instanceType),
    allocatedStorageGiB: database.allocatedStorageGiB,
    multiAz: database.engine === DatabaseEngine.RDS_MULTI_AZ ? database.multiAz : undefined,
    backupRetention: Duration.days(database.backupRetentionDays),
    preferredBackupWindow: database.backupWindow,
    slowQueryThreshold: Duration.millis(database.slowQueryMs),
    logRetention: database.logRetentionDays,
    deletionProtection: database.deletionProtection,
    removalPolicy: RemovalPolicy.SNAPSHOT,
    credentialRotation: Duration.days(database.credentialRotationDays),
    applicationUser: { username: database.applicationUser },
    proxy: database.proxy ? {} : undefined,
    backupPlan: {
      dailyRetention: Duration.days(backup.dailyRetentionDays),
      vaultLock: backup.vaultLock && {
        minRetention: Duration.days(backup.vaultLock.minRetentionDays),
        maxRetention: days(backup.vaultLock.maxRetentionDays),
        changeableFor: days(backup.vaultLock.changeableForDays),
      },
      crossRegionCopy: backup.crossRegionCopy && {
        region: backup.crossRegionCopy.region,
        vaultName: backup.crossRegionCopy.vaultName,
        retention: days(backup.crossRegionCopy.retentionDays),
      },
    },
  };
}

function drillProps(drill: DrillConfig): Omit<RestoreDrillProps, 'database'> {
  const source: DrillSource =
    drill.source === 'point-in-time' ? { mode: 'point-in-time', minutesAgo: drill.pointInTimeMinutesAgo } : { mode: drill.source };
  return {
    schedule: { weekDay: drill.weekDay, hour: String(drill.hour), minute: '0' },
    timeZone: TimeZone.of(drill.timeZone === 'UTC' ? 'Etc/UTC' : drill.timeZone),
    source,
    checks: drill.checks,
    maxDaysWithoutSuccess: drill.maxDaysWithoutSuccess,
    heartbeat: drill.heartbeat,
    // The stateless stack's ServiceAlarms owns the drill alarms, with the app's alarm topic.
    alarms: false,
  };
}
