import * as logs from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import { ALARM_NAMES, type AlarmThresholds, DEFAULT_THRESHOLDS } from '../../constructs/alarms';
import { DatabaseEngine } from '../../constructs/database';
import { NatDevice, NatStrategy, VPC_CIDR_PATTERN } from '../../constructs/network';
import { AppSecretSource } from '../../constructs/secrets';
import { FARGATE_CPUS } from '../../constructs/service/fargate-size';

/** The profiles a configuration can start from; see `profiles.ts` for what each sets. */
export const PROFILES = ['production', 'budget'] as const;
export type Profile = (typeof PROFILES)[number];

/** How private subnets reach the internet; see `ProductionNetwork`. */
export const NAT_STRATEGIES: readonly NatStrategy[] = Object.values(NatStrategy);

/** What does the NAT; see `NatDevice`. */
export const NAT_DEVICES: readonly NatDevice[] = Object.values(NatDevice);

/** The retention periods CloudWatch Logs accepts, in days ("never expire" is not offered). */
export const LOG_RETENTION_DAYS: readonly logs.RetentionDays[] = Object.values(logs.RetentionDays).filter(
  (days): days is logs.RetentionDays => typeof days === 'number' && days !== logs.RetentionDays.INFINITE,
);

/**
 * Safeties that the `production` profile refuses to remove unless the configuration accepts
 * the risk by name, with a reason (`acceptedRisks: { "single-nat-gateway": "why" }`).
 */
export const RISKS = {
  'single-nat-gateway': 'one NAT gateway: an outage of its AZ cuts every task off from the internet',
  'single-task': 'one task: every crash, deploy and AZ outage is an outage of the service',
  'no-deletion-protection': 'no deletion protection: one mistaken delete loses the load balancer and its DNS name, or the database',
  'no-database-standby': 'no Aurora reader or RDS standby: a failover must first create an instance (~10 minutes of downtime instead of ~30-120 s), and a lost AZ means restoring a backup into another',
  'fargate-spot': 'Fargate Spot: AWS may reclaim those tasks with two minutes notice',
} as const;

/** The database engines; see `ResilientDatabase`. */
export const DATABASE_ENGINES: readonly DatabaseEngine[] = Object.values(DatabaseEngine);

/** What a restore drill restores; see `RestoreDrill`. */
export const DRILL_SOURCES = ['latest-snapshot', 'point-in-time', 'backup-vault'] as const;

/** Where an application secret's value comes from; see `AppSecrets`. */
export const SECRET_SOURCES: readonly AppSecretSource[] = Object.values(AppSecretSource);

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

/** How releases reach production; see `RedundantService`. */
export const RELEASE_STRATEGIES = ['blue-green', 'rolling'] as const;

/** CPU architectures a service can run on. */
export const CPU_ARCHITECTURES = ['x86_64', 'arm64'] as const;
export type Risk = keyof typeof RISKS;

/** A `z.strictObject` whose unknown-key error lists the keys that are allowed. */
function strictObject<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}; allowed keys: ${allowed}`
        : undefined,
  });
}

/** One of `values`; `what` explains the choice, in the error and in the JSON Schema's description. */
function oneOf<const T extends readonly (string | number)[]>(values: T, what: string) {
  return z.literal(values, { error: `must be one of ${values.join(' | ')} (${what})` }).meta({ description: what });
}

const tagKey = z
  .string()
  .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, {
    error: 'tag keys are 1-128 letters, digits, spaces or _ . : / = + - @',
  })
  // A pattern rather than a refinement (and no `i` flag), so the JSON Schema says it too.
  .regex(/^(?!(?:[aA][wW][sS]|[sS][hH][iI][pP][sS][hH][aA][pP][eE]):)/, {
    error: 'tag keys may not start with "aws:" or "shipshape:" (reserved)',
  });
const tagValue = z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u, {
  error: 'tag values are 0-256 letters, digits, spaces or _ . : / = + - @',
});

const riskReason = z.string().trim().min(10, {
  error: 'say why the risk is acceptable here, in at least 10 characters',
});

/** The raw `shipshape` context object, as a user writes it. Every key is optional. */
export const rawConfigSchema = strictObject({
  profile: oneOf(PROFILES, 'production is highly available; budget is smaller and cheaper'),
  appName: z.string().regex(/^[a-z][a-z0-9-]{1,23}$/, {
    error: 'must be 2-24 characters: lowercase letters, digits and hyphens, starting with a letter',
  }),
  owner: z.email({ error: 'must be an email address (who is called about this app)' }),
  tags: z.record(tagKey, tagValue),
  env: strictObject({
    account: z.string().regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id' }),
    region: z.string().regex(REGION_PATTERN, { error: 'must be an AWS region name such as us-east-1' }),
  }).partial(),
  network: strictObject({
    maxAzs: oneOf([2, 3] as const, 'one AZ is never offered: the database and load balancer need two'),
    natStrategy: oneOf(NAT_STRATEGIES, 'per-az has no single point of failure'),
    natDevice: oneOf(NAT_DEVICES, 'instance costs ~$4-7 a month each instead of ~$33 + $0.045/GB, with an instance\'s bandwidth and minutes of recovery'),
    natInstanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: 'must be an EC2 instance type such as t4g.nano' }),
    cidr: z.string().regex(VPC_CIDR_PATTERN, {
      error: 'must be an IPv4 CIDR block from /16 to /24, such as 10.0.0.0/16',
    }),
    flowLogRetentionDays: oneOf(LOG_RETENTION_DAYS, 'the retention periods CloudWatch Logs accepts'),
  }).partial(),
  service: strictObject({
    image: z.union([
      strictObject({ uri: z.string().min(3) }),
      strictObject({
        repository: z.string().regex(/^[a-z0-9][a-z0-9._/-]{1,255}$/, { error: 'must be an ECR repository name' }),
        tag: z.string().regex(/^[\w][\w.-]{0,127}$/, { error: 'must be an image tag' }),
      }),
    ], { error: 'must be { "uri": "registry/image:tag" } or { "repository": "<ECR repository name>", "tag": "<tag>" }' }).meta({
      description: 'Leave it out to release from the kit\'s own repository, starting with the reference application; { "uri" } is a fixed image (no pipeline); { "repository", "tag" } releases from a repository of yours',
    }),
    containerPort: z.number().int().min(1).max(65535, { error: 'must be a port from 1 to 65535' }),
    containerUser: z.string().regex(/^\d+(:\d+)?$/, { error: 'must be a numeric uid or uid:gid' }),
    desiredCount: z.number().int().min(1, { error: 'must be at least 1 (2 or more in production)' }).max(1000),
    maxCount: z.number().int().min(1).max(1000),
    cpu: oneOf(FARGATE_CPUS, 'Fargate CPU units: 256 is 0.25 vCPU; memoryMiB must be a size Fargate pairs with it'),
    memoryMiB: z.number().int().min(512).max(122880, { error: 'Fargate memory is 512 to 122880 MiB, in the sizes it pairs with cpu' }),
    cpuArchitecture: oneOf(CPU_ARCHITECTURES, 'arm64 is ~20% cheaper; the image must be built for it'),
    spotWeight: z.number().int().min(0).max(10, { error: 'must be from 0 (no Spot) to 10' }),
    healthCheckPath: z.string().startsWith('/', { error: "must start with '/'" }),
    deletionProtection: z.boolean(),
    logRetentionDays: oneOf(LOG_RETENTION_DAYS, 'how long the application log is kept; CloudWatch bills each GB kept'),
    releaseStrategy: oneOf(RELEASE_STRATEGIES, 'blue-green smoke-tests the new revision and flips traffic back on an alarm'),
    bakeMinutes: z.number().int().min(1).max(1440, { error: 'ECS bakes 1 to 1440 minutes' }),
    smokeTestPath: z.string().startsWith('/', { error: "must start with '/'" }),
    https: strictObject({
      certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/, {
        error: 'must be an ACM certificate ARN',
      }),
      domainName: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, { error: 'must be a DNS name such as app.example.com' }),
      hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, { error: 'must be a Route 53 hosted zone id' }),
      hostedZoneName: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, { error: 'must be the zone name, e.g. example.com' }),
    }).partial(),
  }).partial(),
  database: strictObject({
    engine: oneOf(DATABASE_ENGINES, 'aurora-serverless-v2 fails over in ~30-60 s; rds-multi-az is cheaper, ~60-120 s'),
    postgresVersion: z.string().regex(/^\d+(\.\d+)*$/, { error: 'must be a PostgreSQL version such as 17.9' }),
    minCapacity: z.number().min(0).max(256),
    maxCapacity: z.number().min(1).max(256),
    readers: z.number().int().min(0).max(15, { error: 'Aurora takes 0 to 15 readers' }),
    instanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: 'must be an instance type without "db.", such as t4g.small' }),
    allocatedStorageGiB: z.number().int().min(20).max(65536, { error: 'gp3 storage is 20 to 65536 GiB' }),
    multiAz: z.boolean({ error: 'true keeps a standby in another AZ (failover ~60-120 s); false halves the instance cost and recovers an AZ loss from backups' }),
    backupRetentionDays: z.number().int().min(1).max(35, { error: 'automated backups keep 1 to 35 days' }),
    backupWindow: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be UTC hh:mm-hh:mm, e.g. 03:00-04:00' }),
    slowQueryMs: z.number().int().min(0, { error: 'milliseconds (0 logs every statement)' }),
    logRetentionDays: oneOf(LOG_RETENTION_DAYS, 'the retention periods CloudWatch Logs accepts'),
    deletionProtection: z.boolean(),
    credentialRotationDays: z.number().int().min(1).max(365, { error: 'must be from 1 to 365 days' }),
    applicationUser: z.string().regex(/^[a-z_][a-z0-9_]{0,53}$/, { error: 'must be a lowercase PostgreSQL role name' }),
    proxy: z.boolean(),
    backup: strictObject({
      dailyRetentionDays: z.number().int().min(1).max(36500),
      vaultLock: strictObject({
        minRetentionDays: z.number().int().min(1).max(36500),
        maxRetentionDays: z.number().int().min(1).max(36500).optional(),
        changeableForDays: z.number().int().min(3, { error: 'AWS Backup needs at least 3 days before a lock becomes immutable' }).optional(),
      }),
      crossRegionCopy: strictObject({
        region: z.string().regex(REGION_PATTERN, { error: 'must be an AWS region name such as us-west-2' }),
        vaultName: z.string().regex(/^[a-zA-Z0-9\-_]{2,50}$/, { error: 'must be a backup vault name (2-50 letters, digits, - or _)' }),
        retentionDays: z.number().int().min(1).max(36500).optional(),
      }),
    }).partial(),
  }).partial(),
  drill: strictObject({
    weekDay: oneOf(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const, 'the day the weekly drill runs'),
    hour: z.number().int().min(0).max(23, { error: 'an hour from 0 to 23' }),
    timeZone: z.string().refine((zone) => Intl.supportedValuesOf('timeZone').includes(zone) || zone === 'UTC', {
      error: 'must be an IANA time zone such as Europe/Berlin or UTC',
    }),
    source: oneOf(DRILL_SOURCES, 'latest-snapshot is fastest; point-in-time also proves the transaction logs; backup-vault proves the AWS Backup copy'),
    pointInTimeMinutesAgo: z.number().int().min(5).max(1440, { error: 'from 5 to 1440 minutes' }),
    maxDaysWithoutSuccess: z.number().int().min(1).max(90, { error: 'from 1 to 90 days' }),
    heartbeat: z.boolean(),
    checks: strictObject({
      tables: z.array(strictObject({ table: z.string().regex(/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$/, { error: 'a table or schema.table name' }), minRows: z.number().int().min(0).optional() })),
      freshnessColumn: z.string().regex(/^[A-Za-z_]\w*(\.[A-Za-z_]\w*){1,2}$/, { error: 'table.column or schema.table.column' }),
      maxDataAgeMinutes: z.number().int().min(1),
      sql: z.array(strictObject({
        name: z.string().min(1),
        sql: z.string().min(1),
        expect: strictObject({ equals: z.union([z.string(), z.number(), z.boolean()]), min: z.number(), max: z.number() }).partial(),
      })),
    }).partial(),
  }).partial(),
  alarms: strictObject({
    emails: z.array(z.email({ error: 'must be an email address' })),
    // Secret names allow ASCII letters, digits and /_+=.@- (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html).
    webhookSecrets: z.array(
      z.string().regex(/^([A-Za-z0-9/_+=.@-]{1,512}|arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+)$/, {
        error: 'must be the name or ARN of a Secrets Manager secret whose value is the https:// webhook URL',
      }),
    ),
    webhooks: z.array(
      // The pattern puts the https rule in the JSON Schema as well.
      z.url({ protocol: /^https$/, error: 'must be an https:// URL (notifications are never sent in clear text)' }).regex(/^https:\/\//, {
        error: 'must be an https:// URL (notifications are never sent in clear text)',
      }),
    ),
    thresholds: strictObject(Object.fromEntries(Object.keys(DEFAULT_THRESHOLDS).map((k) => [k, z.number()])) as Record<keyof AlarmThresholds, z.ZodNumber>).partial(),
    disabled: z.array(oneOf(ALARM_NAMES, 'alarm names')),
    fastErrorMetric: strictObject({
      namespace: z.string().min(1),
      metricName: z.string().min(1),
      dimensions: z.record(z.string(), z.string()).optional(),
    }),
  }).partial(),
  pipeline: z.union([
    z.literal(false).meta({ description: 'no release pipeline: images are deployed by cdk deploy only' }),
    strictObject({
      source: z.discriminatedUnion('kind', [
        strictObject({ kind: z.literal('ecr'), tag: z.string().regex(/^[\w][\w.-]{0,127}$/, { error: 'must be an image tag' }).optional() }),
        strictObject({
          kind: z.literal('git'),
          connectionArn: z.string().regex(/^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[\w-]+$/, { error: 'must be a CodeStar / CodeConnections connection ARN' }),
          repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, { error: 'must be owner/name' }),
          branch: z.string().min(1).optional(),
          testCommands: z.array(z.string().min(1)).optional(),
        }),
      ], { error: 'must be { "kind": "ecr", "tag"? } or { "kind": "git", "connectionArn", "repository", "branch"?, "testCommands"? }' }),
      migrationCommand: z.union([
        z.array(z.string().min(1)).min(1),
        z.literal(false).meta({ description: 'no migration stage: the image has no migration runner' }),
      ], { error: 'must be the migration command as a list, e.g. ["node", "dist/migrate.js"], or false for no migration' }),
      manualApproval: z.boolean(),
    }).partial(),
  ], { error: 'must be false (no pipeline) or { "source"?, "migrationCommand"?, "manualApproval"? }' }).meta({
    description: 'The release pipeline: on by default with the kit\'s repository (source: pushes of "latest"), false turns it off; with a repository of yours, on when set',
  }),
  secrets: z.record(
    z.string().regex(/^[A-Z][A-Z0-9_]{0,127}$/, { error: 'secret names are environment variable names: A-Z, 0-9 and _' }),
    oneOf(SECRET_SOURCES, 'generated: a random value; operator: set after deploy with put-secret-value'),
  ),
  observability: strictObject({
    prometheus: z.union([
      z.boolean(),
      strictObject({
        scrapeIntervalSeconds: z.number().int().min(5).max(300, { error: 'from 5 to 300 seconds' }),
        metricsPath: z.string().startsWith('/', { error: "must start with '/'" }),
      }).partial(),
    ], { error: 'must be true, false, or { "scrapeIntervalSeconds"?, "metricsPath"? }' }).meta({
      description: 'Amazon Managed Service for Prometheus with a collector sidecar scraping the tasks\' /metrics, rules that page through the alarm topic, and a Grafana dashboard (docs/observability.md); CloudWatch alarms stay on either way',
    }),
  }).partial(),
  acceptedRisks: strictObject(
    Object.fromEntries(Object.keys(RISKS).map((risk) => [risk, riskReason])) as Record<Risk, typeof riskReason>,
  ).partial(),
  /** The JSON Schema editors check the file against; ignored by the validation. */
  $schema: z.string().meta({ description: 'The JSON Schema of this file, for editors' }),
}).partial();

export type RawConfig = z.infer<typeof rawConfigSchema>;
