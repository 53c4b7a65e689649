import * as logs from 'aws-cdk-lib/aws-logs';
import type { z } from 'zod';
import { type AlarmName, type AlarmThresholds, resolveThresholds } from '../../constructs/alarms';
import { DatabaseEngine, validatePostgresVersion, DEFAULT_POSTGRES_VERSION } from '../../constructs/database';
import { NatStrategy } from '../../constructs/network';
import type { DrillChecks } from '../../constructs/restore-drill';
import type { AppSecretSource } from '../../constructs/secrets';
import { PROFILE_DEFAULTS, type ProfileDefaults } from './profiles';
import { validateFargateSize } from '../../constructs/service/fargate-size';
import { type CPU_ARCHITECTURES, type DRILL_SOURCES, type RELEASE_STRATEGIES, type Profile, type RawConfig, RISKS, type Risk, rawConfigSchema } from './schema';

/** Where the service's image comes from: a full URI, or a repository of this account's ECR. */
export type ImageSource = { readonly uri: string } | { readonly repository: string; readonly tag: string };

/** The reference service's settings; see `RedundantServiceProps` for what each does. */
export interface ServiceConfig {
  readonly image: ImageSource;
  readonly containerPort: number;
  readonly containerUser: string;
  readonly desiredCount: number;
  readonly maxCount: number;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly cpuArchitecture: (typeof CPU_ARCHITECTURES)[number];
  readonly spotWeight: number;
  readonly healthCheckPath: string;
  readonly deletionProtection: boolean;
  readonly releaseStrategy: (typeof RELEASE_STRATEGIES)[number];
  /** Blue/green only. */
  readonly bakeMinutes: number;
  readonly smokeTestPath: string;
  readonly https?: {
    readonly certificateArn?: string;
    readonly domainName?: string;
    readonly hostedZoneId?: string;
    readonly hostedZoneName?: string;
  };
}

/** The reference database's settings; see `ResilientDatabaseProps` for what each does. */
export interface DatabaseConfig {
  readonly engine: DatabaseEngine;
  readonly postgresVersion: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly readers: number;
  readonly instanceType: string;
  readonly allocatedStorageGiB: number;
  readonly backupRetentionDays: number;
  readonly backupWindow: string;
  readonly slowQueryMs: number;
  readonly logRetentionDays: logs.RetentionDays;
  readonly deletionProtection: boolean;
  readonly credentialRotationDays: number;
  readonly applicationUser: string;
  readonly proxy: boolean;
  readonly backup: {
    readonly dailyRetentionDays: number;
    readonly vaultLock?: { readonly minRetentionDays: number; readonly maxRetentionDays?: number; readonly changeableForDays?: number };
    readonly crossRegionCopy?: { readonly region: string; readonly vaultName: string; readonly retentionDays?: number };
  };
}

/** The reference restore drill's settings; see `RestoreDrillProps`. */
export interface DrillConfig {
  readonly weekDay: string;
  readonly hour: number;
  readonly timeZone: string;
  readonly source: (typeof DRILL_SOURCES)[number];
  readonly pointInTimeMinutesAgo: number;
  readonly maxDaysWithoutSuccess: number;
  readonly heartbeat: boolean;
  readonly checks: DrillChecks;
}

/**
 * The reference app's image when none is configured: NGINX's unprivileged build, which runs as
 * uid 101 on port 8080 and writes only to /tmp, so it runs with a read-only root filesystem.
 */
export const REFERENCE_IMAGE: ServiceConfig['image'] = { uri: 'public.ecr.aws/nginx/nginx-unprivileged:stable-alpine' };

/** The reference app's configuration after validation and profile defaults. */
export interface ShipshapeConfig {
  readonly profile: Profile;
  readonly appName: string;
  readonly owner?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly env?: { readonly account?: string; readonly region?: string };
  readonly network: {
    readonly maxAzs: 2 | 3;
    readonly natStrategy: NatStrategy;
    readonly cidr: string;
    readonly flowLogRetentionDays: logs.RetentionDays;
  };
  readonly service: ServiceConfig;
  readonly database: DatabaseConfig;
  readonly drill: DrillConfig;
  readonly alarms: {
    readonly emails: string[];
    readonly webhooks: string[];
    readonly thresholds: Partial<AlarmThresholds>;
    readonly disabled: AlarmName[];
    readonly fastErrorMetric?: { readonly namespace: string; readonly metricName: string; readonly dimensions?: Record<string, string> };
  };
  /** The release pipeline; needs an ECR image. @default - none */
  readonly pipeline?: NonNullable<RawConfig['pipeline']>;
  /** Application secrets by environment variable name, and where each value comes from. */
  readonly secrets: Readonly<Record<string, AppSecretSource>>;
  readonly acceptedRisks: Readonly<Partial<Record<Risk, string>>>;
}

/** A configuration that does not validate; `problems` has one line per bad property. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`Invalid shipshape configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates a raw `shipshape` object and applies the profile's defaults. Throws `ConfigError`. */
export function resolveConfig(raw: unknown): ShipshapeConfig {
  const parsed = rawConfigSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map(describeIssue));
  }
  const input = parsed.data;
  const profile = input.profile ?? 'production';
  const defaults = PROFILE_DEFAULTS[profile];
  const desiredCount = input.service?.desiredCount ?? defaults.service.desiredCount;
  const config: ShipshapeConfig = {
    profile,
    appName: input.appName ?? 'shipshape',
    owner: input.owner,
    tags: input.tags ?? {},
    env: input.env,
    network: {
      maxAzs: input.network?.maxAzs ?? defaults.network.maxAzs,
      natStrategy: input.network?.natStrategy ?? defaults.network.natStrategy,
      cidr: input.network?.cidr ?? '10.0.0.0/16',
      flowLogRetentionDays: input.network?.flowLogRetentionDays ?? defaults.network.flowLogRetentionDays,
    },
    service: {
      image: input.service?.image ?? REFERENCE_IMAGE,
      containerPort: input.service?.containerPort ?? 8080,
      containerUser: input.service?.containerUser ?? (input.service?.image ? '1000' : '101'),
      desiredCount,
      // The profile's maximum, raised to the desired count when that is higher.
      maxCount: input.service?.maxCount ?? Math.max(defaults.service.maxCount, desiredCount),
      cpu: input.service?.cpu ?? defaults.service.cpu,
      memoryMiB: input.service?.memoryMiB ?? defaults.service.memoryMiB,
      cpuArchitecture: input.service?.cpuArchitecture ?? 'x86_64',
      spotWeight: input.service?.spotWeight ?? 0,
      healthCheckPath: input.service?.healthCheckPath ?? (input.service?.image ? '/health' : '/'),
      deletionProtection: input.service?.deletionProtection ?? defaults.service.deletionProtection,
      releaseStrategy: input.service?.releaseStrategy ?? 'blue-green',
      bakeMinutes: input.service?.bakeMinutes ?? 10,
      smokeTestPath: input.service?.smokeTestPath ?? input.service?.healthCheckPath ?? (input.service?.image ? '/health' : '/'),
      https: input.service?.https,
    },
    database: resolveDatabase(input.database ?? {}, defaults.database),
    drill: {
      weekDay: input.drill?.weekDay ?? 'SUN',
      hour: input.drill?.hour ?? 6,
      timeZone: input.drill?.timeZone ?? 'UTC',
      source: input.drill?.source ?? 'latest-snapshot',
      pointInTimeMinutesAgo: input.drill?.pointInTimeMinutesAgo ?? 15,
      maxDaysWithoutSuccess: input.drill?.maxDaysWithoutSuccess ?? 8,
      // Without a column to read, only a heartbeat makes the drill measure the RPO.
      heartbeat: input.drill?.heartbeat ?? !input.drill?.checks?.freshnessColumn,
      checks: input.drill?.checks ?? {},
    },
    alarms: {
      emails: input.alarms?.emails ?? (input.owner ? [input.owner] : []),
      webhooks: input.alarms?.webhooks ?? [],
      thresholds: input.alarms?.thresholds ?? {},
      disabled: input.alarms?.disabled ?? [],
      fastErrorMetric: input.alarms?.fastErrorMetric,
    },
    pipeline: input.pipeline,
    secrets: input.secrets ?? {},
    acceptedRisks: input.acceptedRisks ?? {},
  };
  const problems = [...crossFieldProblems(config), ...unacceptedRisks(config)];
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return config;
}

function resolveDatabase(input: NonNullable<RawConfig['database']>, defaults: ProfileDefaults['database']): DatabaseConfig {
  return {
    engine: input.engine ?? defaults.engine,
    postgresVersion: input.postgresVersion ?? DEFAULT_POSTGRES_VERSION,
    minCapacity: input.minCapacity ?? 0.5,
    maxCapacity: input.maxCapacity ?? 4,
    readers: input.readers ?? 1,
    instanceType: input.instanceType ?? defaults.instanceType,
    allocatedStorageGiB: input.allocatedStorageGiB ?? 20,
    backupRetentionDays: input.backupRetentionDays ?? 14,
    backupWindow: input.backupWindow ?? '03:00-04:00',
    slowQueryMs: input.slowQueryMs ?? 500,
    logRetentionDays: input.logRetentionDays ?? logs.RetentionDays.THREE_MONTHS,
    deletionProtection: input.deletionProtection ?? true,
    credentialRotationDays: input.credentialRotationDays ?? 30,
    applicationUser: input.applicationUser ?? 'app',
    proxy: input.proxy ?? false,
    backup: {
      dailyRetentionDays: input.backup?.dailyRetentionDays ?? 35,
      vaultLock: input.backup?.vaultLock,
      crossRegionCopy: input.backup?.crossRegionCopy,
    },
  };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = ['shipshape', ...issue.path.map(String)].join('.');
  const got = issue.code === 'unrecognized_keys' || issue.input === undefined ? '' : ` (got ${JSON.stringify(issue.input)})`;
  // A bad record key carries the key's own problems inside.
  const message = issue.code === 'invalid_key' ? issue.issues.map((inner) => inner.message).join('; ') : issue.message;
  return `${path}: ${message}${got}`;
}

function crossFieldProblems(config: ShipshapeConfig): string[] {
  const problems: string[] = [];
  const { network, service } = config;
  try {
    validateFargateSize(service.cpu, service.memoryMiB, 'shipshape.service');
  } catch (error) {
    problems.push((error as Error).message.replace('memoryLimitMiB', 'memoryMiB'));
  }
  if (service.maxCount < service.desiredCount) {
    problems.push(`shipshape.service.maxCount: must be at least desiredCount ${service.desiredCount} (got ${service.maxCount})`);
  }
  if (network.natStrategy === NatStrategy.NONE && 'uri' in service.image) {
    problems.push(
      `shipshape.service.image: with natStrategy "none" tasks can pull only from this account's ECR (through its VPC endpoints); ` +
        `use { "repository", "tag" } instead of { "uri": "${service.image.uri}" }, or a NAT strategy`,
    );
  }
  problems.push(...httpsProblems(service.https));
  if (config.pipeline && 'uri' in service.image) {
    problems.push('shipshape.pipeline: releases deploy images from this account\'s ECR; set service.image to { "repository", "tag" } (got { "uri" })');
  }

  problems.push(...databaseProblems(config));
  try {
    resolveThresholds(config.alarms.thresholds);
  } catch (error) {
    problems.push((error as Error).message.replace('ServiceAlarms.thresholds', 'shipshape.alarms.thresholds'));
  }
  return problems;
}

function databaseProblems(config: ShipshapeConfig): string[] {
  const { database } = config;
  const at = 'shipshape.database';
  const problems: string[] = [];
  try {
    validatePostgresVersion(database.engine, database.postgresVersion, at);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (database.engine === DatabaseEngine.AURORA_SERVERLESS_V2) {
    if (database.minCapacity > database.maxCapacity) {
      problems.push(`${at}.minCapacity: ${database.minCapacity} ACUs is more than maxCapacity ${database.maxCapacity}; lower minCapacity or raise maxCapacity`);
    }
    for (const key of ['minCapacity', 'maxCapacity'] as const) {
      if (!Number.isInteger(database[key] * 2)) problems.push(`${at}.${key}: Serverless v2 capacity moves in steps of 0.5 ACU (got ${database[key]})`);
    }
  }
  const { vaultLock, crossRegionCopy, dailyRetentionDays } = database.backup;
  const shortest = Math.min(dailyRetentionDays, database.backupRetentionDays);
  if (vaultLock && vaultLock.minRetentionDays > shortest) {
    problems.push(
      `${at}.backup.vaultLock.minRetentionDays: ${vaultLock.minRetentionDays} is longer than the shortest backup retention (${shortest} days); ` +
        'backups into the locked vault would fail',
    );
  }
  if (vaultLock?.maxRetentionDays !== undefined && vaultLock.maxRetentionDays < Math.max(dailyRetentionDays, vaultLock.minRetentionDays)) {
    problems.push(`${at}.backup.vaultLock.maxRetentionDays: ${vaultLock.maxRetentionDays} is shorter than dailyRetentionDays ${dailyRetentionDays} or minRetentionDays`);
  }
  if (crossRegionCopy && crossRegionCopy.region === config.env?.region) {
    problems.push(`${at}.backup.crossRegionCopy.region: ${crossRegionCopy.region} is the stack's own region; a copy must survive the loss of the region, choose another`);
  }
  return problems;
}

function httpsProblems(https: ServiceConfig['https']): string[] {
  if (!https) return [];
  const at = 'shipshape.service.https';
  if (!https.domainName && (https.certificateArn || https.hostedZoneId)) {
    return [`${at}.domainName: required with a certificate or hosted zone: clients check the certificate against the name they use`];
  }
  if (https.domainName && !https.certificateArn && !https.hostedZoneId) {
    return [`${at}: domainName ${https.domainName} needs certificateArn, or hostedZoneId + hostedZoneName to create a certificate in`];
  }
  if (Boolean(https.hostedZoneId) !== Boolean(https.hostedZoneName)) {
    return [`${at}: hostedZoneId and hostedZoneName go together (no lookup is made at synth)`];
  }
  if (https.hostedZoneName && https.domainName && !`.${https.domainName}`.endsWith(`.${https.hostedZoneName}`)) {
    return [`${at}.domainName: ${https.domainName} is not in the hosted zone ${https.hostedZoneName}`];
  }
  return [];
}

/** The risks this configuration takes; the production profile needs each accepted by name. */
export function risksTaken(config: ShipshapeConfig): Risk[] {
  const risks: Risk[] = [];
  if (config.network.natStrategy === NatStrategy.SINGLE) risks.push('single-nat-gateway');
  if (config.service.desiredCount < 2) risks.push('single-task');
  if (!config.service.deletionProtection || !config.database.deletionProtection) risks.push('no-deletion-protection');
  if (config.database.engine === DatabaseEngine.AURORA_SERVERLESS_V2 && config.database.readers === 0) risks.push('no-database-standby');
  if (config.service.spotWeight > 0) risks.push('fargate-spot');
  return risks;
}

function unacceptedRisks(config: ShipshapeConfig): string[] {
  if (config.profile !== 'production') return [];
  return risksTaken(config)
    .filter((risk) => !config.acceptedRisks[risk])
    .map(
      (risk) =>
        `shipshape.acceptedRisks.${risk}: the production profile refuses ${RISKS[risk]}; ` +
        `set acceptedRisks.${risk} to the reason it is acceptable, or use profile "budget"`,
    );
}
