import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { DatabaseBackupPlanOptions } from './database-backup-plan';
import type { DatabaseEngine } from './postgres-versions';

/** RDS Proxy in front of the database: connection pooling for bursty clients. */
export interface DatabaseProxyOptions {
  /**
   * Share of the database's `max_connections` the proxy may open. Keep headroom for the
   * rotation functions, migrations and an operator's session.
   * @default 80
   */
  readonly maxConnectionsPercent?: number;
  /**
   * Share of `max_connections` the proxy keeps open while idle.
   * @default 40
   */
  readonly maxIdleConnectionsPercent?: number;
  /**
   * How long a client waits for a pooled connection before its connect fails.
   * @default Duration.seconds(30)
   */
  readonly borrowTimeout?: Duration;
}

/** A separate login for the application, rotated with the multi-user strategy. */
export interface ApplicationUserOptions {
  /**
   * The role name; rotation alternates between it and `<username>_clone`.
   * @default 'app'
   */
  readonly username?: string;
}

export interface ResilientDatabaseProps {
  /** The VPC to run in. */
  readonly vpc: ec2.IVpc;
  /**
   * Where the database runs: subnets without any route to the internet.
   * @default - the VPC's isolated subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Where the rotation and bootstrap functions run: they need the database and the Secrets
   * Manager API (through NAT or an interface endpoint).
   * @default - the VPC's private subnets with egress
   */
  readonly functionSubnets?: ec2.SubnetSelection;
  /**
   * Aurora Serverless v2 (writer plus readers) or an RDS Multi-AZ instance.
   * @default DatabaseEngine.AURORA_SERVERLESS_V2
   */
  readonly engine?: DatabaseEngine;
  /**
   * The PostgreSQL version, one aws-cdk-lib knows for the engine.
   * @default DEFAULT_POSTGRES_VERSION ('17.9')
   */
  readonly postgresVersion?: string;
  /**
   * The database created at launch.
   * @default 'app'
   */
  readonly databaseName?: string;
  /**
   * The master user's name (its password is generated into Secrets Manager).
   * @default 'dbadmin'
   */
  readonly masterUsername?: string;
  /**
   * Aurora only: minimum capacity in ACUs (0.5 steps, 0 allows auto-pause).
   * @default 0.5
   */
  readonly minCapacity?: number;
  /**
   * Aurora only: maximum capacity in ACUs (up to 256).
   * @default 4
   */
  readonly maxCapacity?: number;
  /**
   * Aurora only: readers in other AZs, failover targets that also serve reads.
   * @default 1
   */
  readonly readers?: number;
  /**
   * RDS only: the instance class.
   * @default t4g.small (2 vCPU burstable, 2 GiB)
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * RDS only: initial storage (gp3), in GiB.
   * @default 20
   */
  readonly allocatedStorageGiB?: number;
  /**
   * RDS only: storage autoscaling ceiling, in GiB.
   * @default 100
   */
  readonly maxAllocatedStorageGiB?: number;
  /**
   * RDS only: keep a synchronous standby in another AZ that takes over in ~60-120 s. Without it
   * the instance and its storage cost half, and losing its AZ means restoring the latest backup
   * into another AZ (point-in-time restore: RPO about 5 minutes, RTO what the restore drill measures).
   * @default true
   */
  readonly multiAz?: boolean;
  /**
   * How long automated backups (and so point-in-time restore) reach back: 1 to 35 days.
   * @default Duration.days(14)
   */
  readonly backupRetention?: Duration;
  /**
   * The daily automated backup window, UTC `hh:mm-hh:mm`, at least 30 minutes.
   * @default '03:00-04:00'
   */
  readonly preferredBackupWindow?: string;
  /**
   * The weekly maintenance window, UTC `ddd:hh:mm-ddd:hh:mm`; must not overlap the backup window.
   * @default 'sun:04:30-sun:05:30'
   */
  readonly preferredMaintenanceWindow?: string;
  /**
   * Refuse deletes of the database until this is turned off.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * What happens to the database when it leaves the stack.
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Encrypts storage, snapshots, Performance Insights, the secrets and the logs.
   * @default - a new customer-managed key with rotation on
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Statements running at least this long are logged (`log_min_duration_statement`).
   * @default Duration.millis(500)
   */
  readonly slowQueryThreshold?: Duration;
  /**
   * Retention of the exported PostgreSQL log.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Enhanced monitoring (OS metrics) interval: 1, 5, 10, 15, 30 or 60 seconds.
   * @default Duration.seconds(60)
   */
  readonly monitoringInterval?: Duration;
  /**
   * How often the master credentials rotate: 1 to 365 days.
   * @default Duration.days(30)
   */
  readonly credentialRotation?: Duration;
  /**
   * A separate application login with multi-user rotation (so a rotation never breaks live
   * connections).
   * @default - no application user; the application would use IAM authentication or the master
   */
  readonly applicationUser?: ApplicationUserOptions;
  /**
   * The AWS Backup plan beside the automated backups.
   * @default - daily backups kept 35 days and continuous backup, in a new encrypted vault
   */
  readonly backupPlan?: DatabaseBackupPlanOptions;
  /**
   * RDS Proxy for connection pooling (IAM authentication and TLS required).
   * @default - no proxy: clients connect to the database endpoints
   */
  readonly proxy?: DatabaseProxyOptions;
}
