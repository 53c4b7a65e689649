/** The tag every drill resource carries; IAM lets the drill delete or modify only what has it. */
export const DRILL_TAG = 'shipshape:drill';
/** Every drill resource name starts with this; IAM lets the drill create only such names. */
export const DRILL_NAME_PREFIX = 'shipshape-drill-';
/**
 * How long the cleanup may poll before the execution fails with `CleanupTimeout` (the hourly
 * sweeper then deletes what is left, once it is tagged and older than its bound).
 */
export const CLEANUP_TIMEOUT_MINUTES = 60;

export type DrillEngine = 'aurora-serverless-v2' | 'rds-multi-az';

/** Which backup a drill restores. */
export type DrillSourceConfig =
  | { readonly mode: 'latest-snapshot' }
  | { readonly mode: 'point-in-time'; readonly minutesAgo: number }
  | { readonly mode: 'snapshot'; readonly snapshotIdentifier: string }
  | { readonly mode: 'backup-vault'; readonly vaultName: string; readonly restoreRoleArn: string };

/** A check on one table: it exists, and has at least `minRows` rows. */
export interface TableCheck {
  readonly table: string;
  readonly minRows?: number;
}

/** A user-supplied query whose single value must meet the expectation. */
export interface SqlCheck {
  readonly name: string;
  readonly sql: string;
  readonly expect: { readonly equals?: string | number | boolean; readonly min?: number; readonly max?: number };
}

export interface DrillChecks {
  readonly tables?: readonly TableCheck[];
  /** `table.column` holding write timestamps: the newest one measures the restored data's RPO. */
  readonly freshnessColumn?: string;
  /** Read the kit's heartbeat table (written every minute) for the RPO. */
  readonly heartbeat?: boolean;
  /** The newest write may be at most this many minutes older than the restore target (default 60). */
  readonly maxDataAgeMinutes?: number;
  readonly sql?: readonly SqlCheck[];
}

/** What the construct fixes for every drill of one database (the state machine's input). */
export interface DrillConfig {
  readonly engine: DrillEngine;
  /** The source cluster (Aurora) or instance (RDS) identifier. */
  readonly sourceIdentifier: string;
  readonly sourceArn: string;
  readonly source: DrillSourceConfig;
  readonly databaseName: string;
  readonly subnetGroupName: string;
  readonly securityGroupId: string;
  readonly kmsKeyArn: string;
  /** RDS instance class of the copy (Aurora copies are Serverless v2). */
  readonly instanceClass: string;
  /** Longest a restore may take before the drill fails (and cleans up), in minutes. */
  readonly restoreTimeoutMinutes: number;
  readonly checks: DrillChecks;
  readonly reportBucket: string;
  readonly topicArn: string;
  /** Names the metrics' `Database` dimension. */
  readonly databaseLabel: string;
}

/** What a drill restored from, and the moment its data should reach. */
export interface ResolvedSource {
  readonly kind: 'snapshot' | 'point-in-time' | 'recovery-point';
  readonly snapshotIdentifier?: string;
  readonly recoveryPointArn?: string;
  /** ISO time the restored data should be fresh up to: snapshot time or PITR target. */
  readonly targetTime: string;
}

export interface CheckResult {
  readonly name: string;
  readonly passed: boolean;
  readonly message: string;
}

export interface ValidationResult {
  readonly passed: boolean;
  readonly checks: readonly CheckResult[];
  /** Newest write found in the restored data (freshness column or heartbeat). */
  readonly newestWrite?: string;
  readonly validatedAt: string;
}

/** The drill's state, passed from step to step by the state machine. */
export interface DrillState {
  readonly config: DrillConfig;
  /** The Step Functions execution name; the drill id is derived from it (`drillId(state)`). */
  readonly executionName: string;
  /** ISO time the drill started: RTO counts from here. */
  readonly startedAt: string;
  readonly source?: ResolvedSource;
  readonly restoreJobId?: string;
  /** The temporary copy: cluster (Aurora) and instance identifiers, once created. */
  readonly clusterIdentifier?: string;
  readonly instanceIdentifier?: string;
  readonly ready?: boolean;
  readonly masterSecretArn?: string;
  /** Where the copy answers, once it does. */
  readonly endpoint?: { readonly host: string; readonly port: number };
  readonly validation?: ValidationResult;
  /** Set by the state machine's Catch: what failed. */
  readonly error?: { readonly Error?: string; readonly Cause?: string };
  readonly cleaned?: boolean;
  /** ISO time of the first cleanup poll: the cleanup bound counts from here. */
  readonly cleanupStartedAt?: string;
  readonly reportKey?: string;
}

/** A drill id from a Step Functions execution name: RDS identifiers are lowercase, at most 63 characters. */
export function drillIdFor(executionName: string): string {
  const safe = executionName.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  return `${DRILL_NAME_PREFIX}${safe}`.slice(0, 63).replace(/-$/, '');
}

/** `shipshape-drill-<execution>`: the name of everything this drill creates. */
export function drillId(state: Pick<DrillState, 'executionName'>): string {
  return drillIdFor(state.executionName);
}

/** The tags every drill resource gets. */
export function drillTags(state: Pick<DrillState, 'executionName' | 'config'>): { Key: string; Value: string }[] {
  return [
    { Key: DRILL_TAG, Value: drillId(state) },
    { Key: 'shipshape:drill-source', Value: state.config.sourceIdentifier },
  ];
}
