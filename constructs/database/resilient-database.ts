import { Names, RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { allowLogsToUseKey, encryptedLogGroup, rotatingKey } from '../private/encryption';
import { rotateDatabaseCredentials } from '../secrets/credential-rotation';
import { DatabaseUser } from '../secrets/database-user';
import { injectedSecret } from '../secrets/injected-secret';
import { acknowledgeDatabaseFindings } from './database-acknowledgments';
import { DatabaseBackupPlan } from './database-backup-plan';
import { auroraCluster, estimatedMaxConnections, POSTGRES_PORT, rdsInstance } from './database-engines';
import { DatabaseEngine } from './postgres-versions';
import { type ResolvedDatabaseProps, resolveDatabaseProps } from './resolve-database-props';
import type { ResilientDatabaseProps } from './resilient-database-props';

/** Where clients connect. */
export interface DatabaseEndpoint {
  readonly hostname: string;
  readonly port: number;
}

/**
 * PostgreSQL that survives the loss of an AZ, keeps its data when deleted by mistake, and proves
 * its backups: Aurora Serverless v2 (writer + reader) or RDS Multi-AZ, in isolated subnets,
 * KMS-encrypted, TLS-only, IAM authentication on, rotated credentials in Secrets Manager,
 * automated backups plus an AWS Backup plan, slow-query logs, Performance Insights and enhanced
 * monitoring.
 */
export class ResilientDatabase extends Construct implements ec2.IConnectable {
  public readonly engine: DatabaseEngine;
  /** The Aurora cluster (Aurora engine only). */
  public readonly cluster?: rds.DatabaseCluster;
  /** The RDS instance (RDS engine only). */
  public readonly instance?: rds.DatabaseInstance;
  public readonly encryptionKey: kms.IKey;
  public readonly securityGroup: ec2.SecurityGroup;
  /** The master credentials, attached to the database, rotated single-user. */
  public readonly masterSecret: secretsmanager.ISecret;
  /** The application login (when `applicationUser` is set). */
  public readonly applicationUser?: DatabaseUser;
  public readonly proxy?: rds.DatabaseProxy;
  public readonly backupPlan: DatabaseBackupPlan;
  /** The exported PostgreSQL log (slow queries, lock waits, errors). */
  public readonly logGroup: logs.LogGroup;
  public readonly databaseName: string;
  /** The database's identifier (cluster or instance). */
  public readonly identifier: string;
  /** Where applications connect for writes: the proxy when there is one, else the writer. */
  public readonly endpoint: DatabaseEndpoint;
  /** The approximate `max_connections` of the (largest) writer, for connection alarms. */
  public readonly estimatedMaxConnections?: number;
  public readonly backupRetentionDays: number;
  public readonly vpc: ec2.IVpc;
  /** Where the database runs (isolated subnets). */
  public readonly vpcSubnets: ec2.SubnetSelection;
  /** Where companions that need the database and AWS APIs run (rotation, bootstrap, drills). */
  public readonly functionSubnets: ec2.SubnetSelection;
  private readonly resolved: ResolvedDatabaseProps;
  private readonly clientConnections: ec2.Connections;
  private readonly deadlocks: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: ResilientDatabaseProps) {
    super(scope, id);
    const p = resolveDatabaseProps(props);
    Tags.of(this).add('shipshape:component', 'database');
    this.resolved = p;
    this.engine = p.engine;
    this.databaseName = p.databaseName;
    this.backupRetentionDays = p.backupRetention.toDays();
    this.estimatedMaxConnections = estimatedMaxConnections(p);
    this.identifier = databaseIdentifier(this);
    this.vpc = props.vpc;
    this.vpcSubnets = p.vpcSubnets;
    this.functionSubnets = p.functionSubnets;
    this.encryptionKey = props.encryptionKey ?? rotatingKey(this, 'Key', 'shipshape database: storage, snapshots, secrets, logs');
    allowLogsToUseKey(this.encryptionKey);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Database: reachable only from what is granted through connections',
      allowAllOutbound: false,
    });

    const masterSecret = new rds.DatabaseSecret(this, 'MasterSecret', { username: p.masterUsername, encryptionKey: this.encryptionKey });
    // The secret holds the password of every snapshot the database leaves behind (deleted only
    // when the create that made it rolls back).
    if (p.removalPolicy !== RemovalPolicy.DESTROY) masterSecret.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);

    // Created before the database so RDS writes into this encrypted group with its retention. Its
    // name is fixed (RDS chooses it): a failed create must delete it, or the retry finds it
    // "already exists".
    const logKind = p.engine === DatabaseEngine.AURORA_SERVERLESS_V2 ? 'cluster' : 'instance';
    this.logGroup = encryptedLogGroup(this, 'PostgresLog', {
      key: this.encryptionKey,
      retention: p.logRetention,
      logGroupName: `/aws/rds/${logKind}/${this.identifier}/postgresql`,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    const inputs = {
      props: p,
      vpc: props.vpc,
      securityGroup: this.securityGroup,
      key: this.encryptionKey,
      credentials: rds.Credentials.fromSecret(masterSecret),
      identifier: this.identifier,
      monitoringRole: this.monitoringRole(),
    };
    let target: rds.DatabaseCluster | rds.DatabaseInstance;
    let readyAfter: Construct[];
    if (p.engine === DatabaseEngine.AURORA_SERVERLESS_V2) {
      this.cluster = target = auroraCluster(this, inputs);
      readyAfter = this.cluster.node.findAll().filter((child) => child instanceof rds.CfnDBInstance);
      this.masterSecret = this.cluster.secret as secretsmanager.ISecret;
    } else {
      this.instance = target = rdsInstance(this, inputs);
      readyAfter = [this.instance];
      this.masterSecret = this.instance.secret as secretsmanager.ISecret;
    }
    target.node.addDependency(this.logGroup);
    // CDK gives the database a token port; a literal one keeps security group rules checkable.
    const database: ec2.IConnectable = {
      connections: new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(POSTGRES_PORT) }),
    };
    this.deadlocks = this.deadlockMetric();

    rotateDatabaseCredentials(this.masterSecret, {
      database,
      vpc: props.vpc,
      subnets: p.functionSubnets,
      interval: p.credentialRotation,
    });
    if (props.applicationUser) {
      this.applicationUser = new DatabaseUser(this, 'ApplicationUser', {
        target,
        database,
        readyAfter,
        masterSecret: this.masterSecret,
        databaseName: p.databaseName,
        username: props.applicationUser.username ?? 'app',
        vpc: props.vpc,
        functionSubnets: p.functionSubnets,
        encryptionKey: this.encryptionKey,
        rotationInterval: p.credentialRotation,
        logRetention: p.logRetention,
      });
    }

    const writer = this.cluster ? this.cluster.clusterEndpoint : (this.instance as rds.DatabaseInstance).instanceEndpoint;
    if (props.proxy) {
      const proxySecurityGroup = new ec2.SecurityGroup(this, 'ProxySecurityGroup', {
        vpc: props.vpc,
        description: 'Database proxy: reachable only from what is granted through connections',
        allowAllOutbound: false,
      });
      this.proxy = new rds.DatabaseProxy(this, 'Proxy', {
        securityGroups: [proxySecurityGroup],
        proxyTarget: this.cluster ? rds.ProxyTarget.fromCluster(this.cluster) : rds.ProxyTarget.fromInstance(target as rds.DatabaseInstance),
        secrets: [this.masterSecret, ...(this.applicationUser ? [this.applicationUser.secret] : [])],
        vpc: props.vpc,
        vpcSubnets: p.vpcSubnets,
        iamAuth: true,
        requireTLS: true,
        maxConnectionsPercent: props.proxy.maxConnectionsPercent ?? 80,
        maxIdleConnectionsPercent: props.proxy.maxIdleConnectionsPercent ?? 40,
        borrowTimeout: props.proxy.borrowTimeout,
      });
      // The proxy target already admitted the proxy to the database (CDK adds that rule).
      this.clientConnections = new ec2.Connections({ securityGroups: [proxySecurityGroup], defaultPort: ec2.Port.tcp(POSTGRES_PORT) });
      this.endpoint = { hostname: this.proxy.endpoint, port: POSTGRES_PORT };
    } else {
      this.clientConnections = database.connections;
      this.endpoint = { hostname: writer.hostname, port: POSTGRES_PORT };
    }

    this.backupPlan = new DatabaseBackupPlan(this, 'Backup', {
      ...props.backupPlan,
      resources: [this.cluster ? backup.BackupResource.fromRdsDatabaseCluster(this.cluster) : backup.BackupResource.fromRdsDatabaseInstance(target as rds.DatabaseInstance)],
      continuousRetention: p.backupRetention,
    });
    acknowledgeDatabaseFindings(this);
  }

  /** The cluster's or instance's ARN. */
  public get arn(): string {
    return this.cluster?.clusterArn ?? (this.instance as rds.DatabaseInstance).instanceArn;
  }

  /** Clients connect here: the proxy's security group when there is one, else the database's. */
  public get connections(): ec2.Connections {
    return this.clientConnections;
  }

  /**
   * Lets `client` reach the database (or its proxy) on the PostgreSQL port. Only an ingress rule
   * is added, and it is created in the client's stack when that differs, so the database's stack
   * never depends on its clients.
   */
  public allowConnectionsFrom(client: ec2.IConnectable, description = 'database client'): void {
    for (const databaseGroup of this.connections.securityGroups) {
      for (const clientGroup of client.connections.securityGroups) {
        databaseGroup.addIngressRule(clientGroup, ec2.Port.tcp(POSTGRES_PORT), description, true);
      }
    }
  }

  /** The secret applications should log in with: the application user's, else the master's. */
  public get connectionSecret(): secretsmanager.ISecret {
    return this.applicationUser?.secret ?? this.masterSecret;
  }

  /** Lets `grantee` log in as `dbUser` with an IAM token (through the proxy when there is one). */
  public grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant {
    if (this.proxy) return this.proxy.grantConnect(grantee, dbUser);
    return (this.cluster ?? (this.instance as rds.DatabaseInstance)).grantConnect(grantee, dbUser);
  }

  /** Non-secret connection settings for a container: host, port, database, TLS mode. */
  public connectionEnvironment(): Record<string, string> {
    return {
      DB_HOST: this.endpoint.hostname,
      DB_PORT: String(this.endpoint.port),
      DB_NAME: this.databaseName,
      DB_SSLMODE: 'require',
    };
  }

  /** The login for a container, injected by ECS from the connection secret at task start. */
  public connectionSecrets(): Record<string, ecs.Secret> {
    return {
      DB_USER: injectedSecret(this.connectionSecret, this.encryptionKey, 'username'),
      DB_PASSWORD: injectedSecret(this.connectionSecret, this.encryptionKey, 'password'),
    };
  }

  public metricCPUUtilization(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricFor('CPUUtilization', options);
  }

  public metricFreeableMemory(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricFor('FreeableMemory', { statistic: 'Minimum', ...options });
  }

  public metricDatabaseConnections(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricFor('DatabaseConnections', { statistic: 'Maximum', ...options });
  }

  /** Free local (Aurora: temporary) or allocated (RDS) storage, in bytes. */
  public metricFreeStorageSpace(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricFor(this.cluster ? 'FreeLocalStorage' : 'FreeStorageSpace', { statistic: 'Minimum', ...options });
  }

  /** Aurora only: the cluster volume's size in bytes (undefined for RDS). */
  public metricVolumeBytesUsed(options?: cloudwatch.MetricOptions): cloudwatch.Metric | undefined {
    return this.cluster?.metricVolumeBytesUsed({ statistic: 'Maximum', ...options });
  }

  /**
   * Aurora only: the largest reader lag, in milliseconds. Undefined for RDS Multi-AZ, whose
   * standby is synchronous and not readable.
   */
  public metricReplicaLag(options?: cloudwatch.MetricOptions): cloudwatch.Metric | undefined {
    if (!this.cluster || this.resolved.readers === 0) return undefined;
    return this.cluster.metric('AuroraReplicaLagMaximum', { statistic: 'Maximum', ...options });
  }

  /** Deadlocks PostgreSQL reported in its log ("deadlock detected"), counted by a metric filter. */
  public metricDeadlocks(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadlocks.with(options ?? {});
  }

  private metricFor(metricName: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return (this.cluster ?? (this.instance as rds.DatabaseInstance)).metric(metricName, options);
  }

  private deadlockMetric(): cloudwatch.Metric {
    const filter = new logs.MetricFilter(this, 'DeadlockFilter', {
      logGroup: this.logGroup,
      filterPattern: logs.FilterPattern.literal('"deadlock detected"'),
      metricNamespace: `shipshape/Database/${this.identifier}`,
      metricName: 'Deadlocks',
      metricValue: '1',
      defaultValue: 0,
    });
    return filter.metric({ statistic: 'Sum' });
  }

  private monitoringRole(): iam.Role {
    return new iam.Role(this, 'MonitoringRole', {
      assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
    });
  }
}

/** A stable, lowercase identifier from the construct path (RDS: letters, digits, single hyphens). */
function databaseIdentifier(scope: Construct): string {
  const unique = Names.uniqueResourceName(scope, { maxLength: 50, separator: '-' }).toLowerCase();
  const cleaned = unique.replace(/[^a-z0-9-]/g, '').replace(/-+/g, '-').replace(/^[^a-z]+/, '').replace(/-$/, '');
  return cleaned;
}
