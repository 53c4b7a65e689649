import { Size } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import type { Construct } from 'constructs';
import { auroraPostgresEngine, DatabaseEngine, rdsPostgresEngine } from './postgres-versions';
import type { ResolvedDatabaseProps } from './resolve-database-props';

/** A literal port, so security group rules (and the policy checks on them) see a number. */
export const POSTGRES_PORT = 5432;

/** What both engines are built from. */
export interface EngineInputs {
  readonly props: ResolvedDatabaseProps;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly key: kms.IKey;
  readonly credentials: rds.Credentials;
  readonly identifier: string;
  readonly monitoringRole: iam.IRole;
}

/**
 * Server settings: TLS only; statements slower than the threshold, lock waits (and so deadlocks)
 * and temporary files over 10 MB logged.
 */
export function postgresParameters(props: ResolvedDatabaseProps): Record<string, string> {
  return {
    'rds.force_ssl': '1',
    log_min_duration_statement: String(props.slowQueryThreshold.toMilliseconds()),
    log_lock_waits: '1',
    log_temp_files: '10240',
  };
}

/** Aurora Serverless v2: a writer and `readers` readers that scale with it (failover targets). */
export function auroraCluster(scope: Construct, inputs: EngineInputs): rds.DatabaseCluster {
  const { props } = inputs;
  const instanceProps = {
    publiclyAccessible: false,
    enablePerformanceInsights: true,
    performanceInsightRetention: rds.PerformanceInsightRetention.DEFAULT,
    performanceInsightEncryptionKey: inputs.key,
  };
  const readers = Array.from({ length: props.readers }, (_, i) =>
    rds.ClusterInstance.serverlessV2(`Reader${i + 1}`, { ...instanceProps, scaleWithWriter: true }),
  );
  return new rds.DatabaseCluster(scope, 'Cluster', {
    engine: auroraPostgresEngine(props.postgresVersion),
    clusterIdentifier: inputs.identifier,
    port: POSTGRES_PORT,
    writer: rds.ClusterInstance.serverlessV2('Writer', instanceProps),
    readers,
    serverlessV2MinCapacity: props.minCapacity,
    serverlessV2MaxCapacity: props.maxCapacity,
    vpc: inputs.vpc,
    vpcSubnets: props.vpcSubnets,
    securityGroups: [inputs.securityGroup],
    credentials: inputs.credentials,
    defaultDatabaseName: props.databaseName,
    storageEncryptionKey: inputs.key,
    iamAuthentication: true,
    deletionProtection: props.deletionProtection,
    removalPolicy: props.removalPolicy,
    copyTagsToSnapshot: true,
    backup: { retention: props.backupRetention, preferredWindow: props.preferredBackupWindow },
    preferredMaintenanceWindow: props.preferredMaintenanceWindow,
    parameters: postgresParameters(props),
    cloudwatchLogsExports: ['postgresql'],
    monitoringInterval: props.monitoringInterval,
    monitoringRole: inputs.monitoringRole,
    enablePerformanceInsights: true,
    performanceInsightRetention: rds.PerformanceInsightRetention.DEFAULT,
    performanceInsightEncryptionKey: inputs.key,
    autoMinorVersionUpgrade: true,
  });
}

/** RDS for PostgreSQL with a Multi-AZ standby, gp3 storage that grows on its own. */
export function rdsInstance(scope: Construct, inputs: EngineInputs): rds.DatabaseInstance {
  const { props } = inputs;
  return new rds.DatabaseInstance(scope, 'Instance', {
    engine: rdsPostgresEngine(props.postgresVersion),
    instanceIdentifier: inputs.identifier,
    port: POSTGRES_PORT,
    instanceType: props.instanceType,
    multiAz: props.multiAz,
    publiclyAccessible: false,
    vpc: inputs.vpc,
    vpcSubnets: props.vpcSubnets,
    securityGroups: [inputs.securityGroup],
    credentials: inputs.credentials,
    databaseName: props.databaseName,
    storageType: rds.StorageType.GP3,
    allocatedStorage: props.allocatedStorageGiB,
    maxAllocatedStorage: props.maxAllocatedStorageGiB,
    storageEncrypted: true,
    storageEncryptionKey: inputs.key,
    iamAuthentication: true,
    deletionProtection: props.deletionProtection,
    removalPolicy: props.removalPolicy,
    copyTagsToSnapshot: true,
    backupRetention: props.backupRetention,
    preferredBackupWindow: props.preferredBackupWindow,
    preferredMaintenanceWindow: props.preferredMaintenanceWindow,
    deleteAutomatedBackups: false,
    parameters: postgresParameters(props),
    cloudwatchLogsExports: ['postgresql', 'upgrade'],
    monitoringInterval: props.monitoringInterval,
    monitoringRole: inputs.monitoringRole,
    enablePerformanceInsights: true,
    performanceInsightRetention: rds.PerformanceInsightRetention.DEFAULT,
    performanceInsightEncryptionKey: inputs.key,
    autoMinorVersionUpgrade: true,
  });
}

/** Nominal memory of the instance classes worth estimating connections for, in GiB. */
const MEMORY_GIB: Record<string, number> = { micro: 1, small: 2, medium: 4, large: 8, xlarge: 16, '2xlarge': 32 };

/**
 * PostgreSQL's `max_connections` default on RDS and Aurora: LEAST(memory / 9531392 bytes, 5000).
 * An estimate from nominal memory (the engine sees slightly less). Serverless v2 sizes it from
 * the maximum capacity (2 GiB per ACU). Undefined when the memory of the class is not known.
 */
export function estimatedMaxConnections(props: ResolvedDatabaseProps): number | undefined {
  let gib: number | undefined;
  if (props.engine === DatabaseEngine.AURORA_SERVERLESS_V2) {
    gib = props.maxCapacity * 2;
  } else {
    const [family, size] = props.instanceType.toString().split('.');
    const base = MEMORY_GIB[size];
    if (base !== undefined && /^r\d/.test(family)) gib = base * 2;
    else if (base !== undefined && /^(t|m)\d/.test(family)) gib = base;
  }
  return gib === undefined ? undefined : Math.min(Math.floor(Size.gibibytes(gib).toBytes() / 9531392), 5000);
}
