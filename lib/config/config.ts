import * as logs from 'aws-cdk-lib/aws-logs';
import type { AlarmName, AlarmThresholds } from '../../constructs/alarms';
import { type DatabaseEngine, DEFAULT_POSTGRES_VERSION } from '../../constructs/database';
import type { NatDevice, NatStrategy } from '../../constructs/network';
import type { DrillChecks } from '../../constructs/restore-drill';
import type { AppSecretSource } from '../../constructs/secrets';
import { PROFILE_DEFAULTS, type ProfileDefaults } from './profiles';
import { type ConfigProblem, formatProblem } from './rules';
import type { CPU_ARCHITECTURES, DRILL_SOURCES, Profile, RawConfig, RELEASE_STRATEGIES, Risk } from './schema';

/**
 * Where the service's image comes from: the kit's own repository (the reference application until
 * the first release), a full URI (a fixed image, no pipeline), or a repository of this account's ECR.
 */
export type ImageSource = KitRepositoryImage | { readonly uri: string } | { readonly repository: string; readonly tag: string };

/** The kit's image repository (in the stateful stack); the reference application (`app/`) runs until the first release. */
export interface KitRepositoryImage {
  readonly kitRepository: true;
}

/** The image source when `service.image` is not set. */
export const KIT_REPOSITORY_IMAGE: KitRepositoryImage = { kitRepository: true };

/** Whether the service's images come from the kit's repository (`service.image` not set). */
export function usesKitRepository(image: ImageSource): image is KitRepositoryImage {
  return 'kitRepository' in image;
}

/**
 * What the reference application (`app/`) expects of the kit, and what the kit expects of it: the
 * defaults of a configuration without `service.image`. A team that pushes its own image into the
 * kit's repository sets its own values (see docs/configuration.md).
 */
export const REFERENCE_APP_CONTRACT = {
  containerPort: 8080,
  containerUser: '1000',
  /** The load balancer's health check: the process runs (never the database). */
  healthCheckPath: '/health/live',
  /** The blue/green smoke test: the database answers. */
  smokeTestPath: '/health/ready',
  /** The image's migration runner. */
  migrationCommand: ['node', 'dist/migrate.js'],
  /** The count of 5xx answers each task publishes every 10 s (EMF, high resolution). */
  fastErrorMetric: (appName: string) => ({ namespace: 'ShipshapeApp', metricName: 'ServerErrors', dimensions: { service: appName } }),
} as const;

/** The release pipeline's settings; see `ReleasePipelineProps`. */
export interface PipelineConfig {
  readonly source: NonNullable<Exclude<NonNullable<RawConfig['pipeline']>, false>['source']>;
  /** The migration command; undefined: no migration stage. */
  readonly migrationCommand?: string[];
  readonly manualApproval: boolean;
}

/** The source of a pipeline whose configuration names none: every push of `latest` is released. */
export const DEFAULT_PIPELINE_SOURCE: PipelineConfig['source'] = { kind: 'ecr', tag: 'latest' };

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
  /** How long the application log is kept. */
  readonly logRetentionDays: logs.RetentionDays;
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
  /** RDS only: a standby in another AZ. */
  readonly multiAz: boolean;
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
    readonly natDevice: NatDevice;
    /** The NAT instances' type (natDevice instance only). */
    readonly natInstanceType: string;
    readonly cidr: string;
    readonly flowLogRetentionDays: logs.RetentionDays;
  };
  readonly service: ServiceConfig;
  readonly database: DatabaseConfig;
  readonly drill: DrillConfig;
  readonly alarms: {
    readonly emails: string[];
    readonly webhooks: string[];
    /** Secrets Manager secrets (name or ARN) whose value is a webhook URL: the template holds only a reference. */
    readonly webhookSecrets: string[];
    readonly thresholds: Partial<AlarmThresholds>;
    readonly disabled: AlarmName[];
    readonly fastErrorMetric?: { readonly namespace: string; readonly metricName: string; readonly dimensions?: Record<string, string> };
  };
  /**
   * The release pipeline; needs an ECR image. On by default with the kit's repository (`false`
   * turns it off); with a repository of your own, on when configured.
   */
  readonly pipeline?: PipelineConfig;
  /** Optional monitoring beside the CloudWatch alarms and dashboard. */
  readonly observability: {
    /** Amazon Managed Service for Prometheus (`PrometheusMonitoring`); undefined when off. @default - off */
    readonly prometheus?: { readonly scrapeIntervalSeconds: number; readonly metricsPath: string };
  };
  /** Application secrets by environment variable name, and where each value comes from. */
  readonly secrets: Readonly<Record<string, AppSecretSource>>;
  readonly acceptedRisks: Readonly<Partial<Record<Risk, string>>>;
}

/** A configuration that does not validate: every problem found, one line each in `problems`. */
export class ConfigError extends Error {
  /** One line per problem: `shipshape.<path>: what is wrong, what is allowed (got value)`. */
  public readonly problems: readonly string[];

  constructor(public readonly issues: readonly ConfigProblem[]) {
    const problems = issues.map(formatProblem);
    super(`Invalid shipshape configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A validated raw configuration with the profile's defaults applied (no rule across fields checked). */
export function applyDefaults(input: RawConfig): ShipshapeConfig {
  const profile = input.profile ?? 'production';
  const defaults = PROFILE_DEFAULTS[profile];
  const desiredCount = input.service?.desiredCount ?? defaults.service.desiredCount;
  const image: ImageSource = input.service?.image ?? KIT_REPOSITORY_IMAGE;
  const kit = usesKitRepository(image);
  const appName = input.appName ?? 'shipshape';
  const otherHealthPath = input.service?.healthCheckPath ?? '/health';
  const config: ShipshapeConfig = {
    profile,
    appName,
    owner: input.owner,
    tags: input.tags ?? {},
    env: input.env,
    network: {
      maxAzs: input.network?.maxAzs ?? defaults.network.maxAzs,
      natStrategy: input.network?.natStrategy ?? defaults.network.natStrategy,
      natDevice: input.network?.natDevice ?? defaults.network.natDevice,
      natInstanceType: input.network?.natInstanceType ?? defaults.network.natInstanceType,
      cidr: input.network?.cidr ?? '10.0.0.0/16',
      flowLogRetentionDays: input.network?.flowLogRetentionDays ?? defaults.network.flowLogRetentionDays,
    },
    service: {
      image,
      containerPort: input.service?.containerPort ?? REFERENCE_APP_CONTRACT.containerPort,
      containerUser: input.service?.containerUser ?? REFERENCE_APP_CONTRACT.containerUser,
      desiredCount,
      // The profile's maximum, raised to the desired count when that is higher.
      maxCount: input.service?.maxCount ?? Math.max(defaults.service.maxCount, desiredCount),
      cpu: input.service?.cpu ?? defaults.service.cpu,
      memoryMiB: input.service?.memoryMiB ?? defaults.service.memoryMiB,
      // The reference application is built for Graviton (~20% cheaper) by cdk deploy. A team's own
      // image is x86_64 unless the configuration says it is built for arm64.
      cpuArchitecture: input.service?.cpuArchitecture ?? (kit ? 'arm64' : 'x86_64'),
      spotWeight: input.service?.spotWeight ?? 0,
      healthCheckPath: input.service?.healthCheckPath ?? (kit ? REFERENCE_APP_CONTRACT.healthCheckPath : '/health'),
      deletionProtection: input.service?.deletionProtection ?? defaults.service.deletionProtection,
      logRetentionDays: input.service?.logRetentionDays ?? defaults.service.logRetentionDays,
      releaseStrategy: input.service?.releaseStrategy ?? 'blue-green',
      bakeMinutes: input.service?.bakeMinutes ?? 10,
      // A health check path of your own says the image is not the reference application: the smoke test follows it.
      smokeTestPath: input.service?.smokeTestPath ?? (kit && input.service?.healthCheckPath === undefined ? REFERENCE_APP_CONTRACT.smokeTestPath : otherHealthPath),
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
      webhookSecrets: input.alarms?.webhookSecrets ?? [],
      thresholds: input.alarms?.thresholds ?? {},
      disabled: input.alarms?.disabled ?? [],
      fastErrorMetric: input.alarms?.fastErrorMetric ?? (kit ? REFERENCE_APP_CONTRACT.fastErrorMetric(appName) : undefined),
    },
    pipeline: resolvePipeline(input.pipeline, kit),
    observability: { prometheus: resolvePrometheus(input.observability?.prometheus) },
    secrets: input.secrets ?? {},
    acceptedRisks: input.acceptedRisks ?? {},
  };
  return config;
}

/** Prometheus is off unless asked for; `true` takes the collector's defaults (15 s, the reference app's /metrics). */
function resolvePrometheus(input: NonNullable<RawConfig['observability']>['prometheus']): ShipshapeConfig['observability']['prometheus'] {
  if (input === undefined || input === false) return undefined;
  const given = input === true ? {} : input;
  return { scrapeIntervalSeconds: given.scrapeIntervalSeconds ?? 15, metricsPath: given.metricsPath ?? '/metrics' };
}

/**
 * The kit's repository has a pipeline unless it is turned off, migrating with the reference
 * application's runner unless told otherwise; a repository of your own has one when configured.
 */
function resolvePipeline(input: RawConfig['pipeline'], kit: boolean): PipelineConfig | undefined {
  if (input === false || (input === undefined && !kit)) return undefined;
  const migrationCommand = input?.migrationCommand ?? (kit ? [...REFERENCE_APP_CONTRACT.migrationCommand] : false);
  return {
    source: input?.source ?? DEFAULT_PIPELINE_SOURCE,
    migrationCommand: migrationCommand === false ? undefined : migrationCommand,
    manualApproval: input?.manualApproval ?? false,
  };
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
    multiAz: input.multiAz ?? defaults.multiAz,
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
