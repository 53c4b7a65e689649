import * as rds from 'aws-cdk-lib/aws-rds';

/** Which PostgreSQL the database runs on; see `ResilientDatabase`. */
export enum DatabaseEngine {
  /** Aurora PostgreSQL Serverless v2: a writer and readers in other AZs; failover ~30-60 s. */
  AURORA_SERVERLESS_V2 = 'aurora-serverless-v2',
  /** RDS for PostgreSQL, one instance with a synchronous standby in another AZ; failover ~60-120 s. */
  RDS_MULTI_AZ = 'rds-multi-az',
}

/** The PostgreSQL version used when none is given: the newest both engines offer in aws-cdk-lib 2.276. */
export const DEFAULT_POSTGRES_VERSION = '17.9';

function staticVersions<T>(holder: object, isVersion: (value: unknown) => value is T): T[] {
  return Object.values(holder).filter(isVersion);
}

/**
 * Every full version aws-cdk-lib knows for `engine`, oldest first. Variants that need another kind
 * of cluster (`16.4-limitless`: Aurora Limitless Database, not Serverless v2) are left out.
 */
export function postgresVersions(engine: DatabaseEngine): string[] {
  const versions =
    engine === DatabaseEngine.AURORA_SERVERLESS_V2
      ? staticVersions(rds.AuroraPostgresEngineVersion, (v): v is rds.AuroraPostgresEngineVersion => v instanceof rds.AuroraPostgresEngineVersion).map((v) => v.auroraPostgresFullVersion)
      : staticVersions(rds.PostgresEngineVersion, (v): v is rds.PostgresEngineVersion => v instanceof rds.PostgresEngineVersion).map((v) => v.postgresFullVersion);
  return [...new Set(versions)].filter((v) => /^\d+(\.\d+)*$/.test(v)).sort(compareVersions);
}

function compareVersions(a: string, b: string): number {
  const [pa, pb] = [a, b].map((v) => v.split('.').map((part) => Number.parseInt(part, 10)));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Throws unless `version` is a version aws-cdk-lib knows for `engine`, listing the recent ones. */
export function validatePostgresVersion(engine: DatabaseEngine, version: string, owner: string): void {
  const known = postgresVersions(engine);
  if (!known.includes(version)) {
    const recent = known.filter((v) => Number.parseInt(v, 10) >= 15).join(', ');
    throw new Error(`${owner}.postgresVersion: ${version} is not a known ${engine} version; recent ones: ${recent}`);
  }
}

/** The major version that names parameter group families (`16.4` → `16`). */
export function majorVersion(version: string): string {
  return version.split('.')[0];
}

/** The Aurora cluster engine for a validated `version`. */
export function auroraPostgresEngine(version: string): rds.IClusterEngine {
  return rds.DatabaseClusterEngine.auroraPostgres({
    version: rds.AuroraPostgresEngineVersion.of(version, majorVersion(version)),
  });
}

/** The RDS instance engine for a validated `version`. */
export function rdsPostgresEngine(version: string): rds.IInstanceEngine {
  return rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.of(version, majorVersion(version)) });
}
