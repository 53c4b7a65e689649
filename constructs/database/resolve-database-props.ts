import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DEFAULT_ROTATION_INTERVAL, validateRotationInterval } from '../secrets/credential-rotation';
import { DatabaseEngine, DEFAULT_POSTGRES_VERSION, validatePostgresVersion } from './postgres-versions';
import type { ResilientDatabaseProps } from './resilient-database-props';

/** `ResilientDatabaseProps` with every default applied once, and validated. */
export interface ResolvedDatabaseProps {
  readonly engine: DatabaseEngine;
  readonly postgresVersion: string;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly functionSubnets: ec2.SubnetSelection;
  readonly databaseName: string;
  readonly masterUsername: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly readers: number;
  readonly instanceType: ec2.InstanceType;
  readonly allocatedStorageGiB: number;
  readonly maxAllocatedStorageGiB: number;
  readonly multiAz: boolean;
  readonly backupRetention: Duration;
  readonly preferredBackupWindow: string;
  readonly preferredMaintenanceWindow: string;
  readonly deletionProtection: boolean;
  readonly removalPolicy: RemovalPolicy;
  readonly slowQueryThreshold: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly monitoringInterval: Duration;
  readonly credentialRotation: Duration;
}

const AT = 'ResilientDatabase';
const MONITORING_INTERVALS = [1, 5, 10, 15, 30, 60];
const IDENTIFIER_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]{0,62}$/;
const BACKUP_WINDOW = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;
const MAINTENANCE_WINDOW = /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/;

export function resolveDatabaseProps(props: ResilientDatabaseProps): ResolvedDatabaseProps {
  const resolved: ResolvedDatabaseProps = {
    engine: props.engine ?? DatabaseEngine.AURORA_SERVERLESS_V2,
    postgresVersion: props.postgresVersion ?? DEFAULT_POSTGRES_VERSION,
    vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    functionSubnets: props.functionSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    databaseName: props.databaseName ?? 'app',
    masterUsername: props.masterUsername ?? 'dbadmin',
    minCapacity: props.minCapacity ?? 0.5,
    maxCapacity: props.maxCapacity ?? 4,
    readers: props.readers ?? 1,
    instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.SMALL),
    allocatedStorageGiB: props.allocatedStorageGiB ?? 20,
    maxAllocatedStorageGiB: props.maxAllocatedStorageGiB ?? 100,
    multiAz: props.multiAz ?? true,
    backupRetention: props.backupRetention ?? Duration.days(14),
    preferredBackupWindow: props.preferredBackupWindow ?? '03:00-04:00',
    preferredMaintenanceWindow: props.preferredMaintenanceWindow ?? 'sun:04:30-sun:05:30',
    deletionProtection: props.deletionProtection ?? true,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.SNAPSHOT,
    slowQueryThreshold: props.slowQueryThreshold ?? Duration.millis(500),
    logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    monitoringInterval: props.monitoringInterval ?? Duration.seconds(60),
    credentialRotation: props.credentialRotation ?? DEFAULT_ROTATION_INTERVAL,
  };
  validate(resolved, props);
  return resolved;
}

function validate(p: ResolvedDatabaseProps, props: ResilientDatabaseProps): void {
  validatePostgresVersion(p.engine, p.postgresVersion, AT);
  validateRotationInterval(p.credentialRotation, `${AT}.credentialRotation`);
  const retentionDays = p.backupRetention.toDays({ integral: false });
  if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 35) {
    throw new Error(`${AT}.backupRetention: automated backups keep a whole number of days from 1 to 35 (got ${p.backupRetention.toHumanString()})`);
  }
  for (const [name, value] of [['databaseName', p.databaseName], ['masterUsername', p.masterUsername]] as const) {
    if (!IDENTIFIER_PATTERN.test(value) || /^(postgres|rdsadmin|admin)$/.test(value)) {
      throw new Error(`${AT}.${name}: "${value}" must be 1-63 letters, digits or _, start with a letter, and not be a reserved name`);
    }
  }
  if (!BACKUP_WINDOW.test(p.preferredBackupWindow)) {
    throw new Error(`${AT}.preferredBackupWindow: "${p.preferredBackupWindow}" must be UTC hh:mm-hh:mm, e.g. 03:00-04:00`);
  }
  if (!MAINTENANCE_WINDOW.test(p.preferredMaintenanceWindow)) {
    throw new Error(`${AT}.preferredMaintenanceWindow: "${p.preferredMaintenanceWindow}" must be UTC ddd:hh:mm-ddd:hh:mm, e.g. sun:04:30-sun:05:30`);
  }
  if (!MONITORING_INTERVALS.includes(p.monitoringInterval.toSeconds())) {
    throw new Error(`${AT}.monitoringInterval: must be one of ${MONITORING_INTERVALS.join(', ')} seconds (got ${p.monitoringInterval.toSeconds()})`);
  }
  if (!Token.isUnresolved(p.slowQueryThreshold.toMilliseconds()) && p.slowQueryThreshold.toMilliseconds() < 0) {
    throw new Error(`${AT}.slowQueryThreshold: must not be negative`);
  }
  if (p.engine === DatabaseEngine.AURORA_SERVERLESS_V2) validateAurora(p, props);
  else validateRds(p);
}

function validateAurora(p: ResolvedDatabaseProps, props: ResilientDatabaseProps): void {
  if (props.multiAz !== undefined) {
    throw new Error(`${AT}.multiAz: applies to the RDS engine only; Aurora's standbys are its readers (set readers instead)`);
  }
  const halfSteps = (acu: number) => Number.isInteger(acu * 2);
  if (!halfSteps(p.minCapacity) || p.minCapacity < 0 || p.minCapacity > 256) {
    throw new Error(`${AT}.minCapacity: Serverless v2 capacity is 0 to 256 ACUs in steps of 0.5 (got ${p.minCapacity})`);
  }
  if (!halfSteps(p.maxCapacity) || p.maxCapacity < 1 || p.maxCapacity > 256) {
    throw new Error(`${AT}.maxCapacity: Serverless v2 capacity is 1 to 256 ACUs in steps of 0.5 (got ${p.maxCapacity})`);
  }
  if (p.minCapacity > p.maxCapacity) {
    throw new Error(`${AT}.minCapacity: ${p.minCapacity} ACUs is more than maxCapacity ${p.maxCapacity}; lower minCapacity or raise maxCapacity`);
  }
  if (!Number.isInteger(p.readers) || p.readers < 0 || p.readers > 15) {
    throw new Error(`${AT}.readers: Aurora takes 0 to 15 readers (got ${p.readers})`);
  }
}

function validateRds(p: ResolvedDatabaseProps): void {
  if (!Number.isInteger(p.allocatedStorageGiB) || p.allocatedStorageGiB < 20 || p.allocatedStorageGiB > 65536) {
    throw new Error(`${AT}.allocatedStorageGiB: gp3 storage is 20 to 65536 GiB (got ${p.allocatedStorageGiB})`);
  }
  if (p.maxAllocatedStorageGiB < p.allocatedStorageGiB) {
    throw new Error(`${AT}.maxAllocatedStorageGiB: ${p.maxAllocatedStorageGiB} is less than allocatedStorageGiB ${p.allocatedStorageGiB}`);
  }
}
