import type { Duration, TimeZone } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { ResilientDatabase } from '../database/resilient-database';
import type { DrillChecks } from './runtime/drill-state';

/** Which backup a drill restores. */
export type DrillSource =
  /** The newest automated snapshot. */
  | { readonly mode: 'latest-snapshot' }
  /** Point-in-time restore to "now minus `minutesAgo`" (proves the transaction logs too). */
  | { readonly mode: 'point-in-time'; readonly minutesAgo: number }
  /** A named snapshot. */
  | { readonly mode: 'snapshot'; readonly snapshotIdentifier: string }
  /** The newest recovery point in the database's AWS Backup vault (what survives an account compromise). */
  | { readonly mode: 'backup-vault' };

export interface RestoreDrillProps {
  /** The database whose backups the drill proves. */
  readonly database: ResilientDatabase;
  /**
   * When drills run (EventBridge Scheduler cron fields).
   * @default - weekly, Sunday 06:00
   */
  readonly schedule?: { readonly minute?: string; readonly hour?: string; readonly weekDay?: string; readonly day?: string };
  /**
   * The schedule's time zone.
   * @default TimeZone.ETC_UTC
   */
  readonly timeZone?: TimeZone;
  /**
   * What to restore.
   * @default { mode: 'latest-snapshot' }
   */
  readonly source?: DrillSource;
  /**
   * What to check on the copy.
   * @default - connectivity only
   */
  readonly checks?: DrillChecks;
  /**
   * Instance class of an RDS copy (Aurora copies are Serverless v2, 0.5–4 ACU).
   * @default 'db.t4g.small'
   */
  readonly instanceClass?: string;
  /**
   * Longest a restore may take before the drill fails and cleans up.
   * @default Duration.hours(3)
   */
  readonly restoreTimeout?: Duration;
  /**
   * How often the state machine polls the restore.
   * @default Duration.minutes(1)
   */
  readonly pollInterval?: Duration;
  /**
   * Drill copies older than this are deleted by the hourly sweeper, whatever happened to their drill.
   * @default Duration.hours(12)
   */
  readonly sweepAfter?: Duration;
  /**
   * The "no successful drill" alarm fires after this many days without one.
   * @default 8 (a weekly drill, one day of slack)
   */
  readonly maxDaysWithoutSuccess?: number;
  /**
   * Create the two drill alarms here, notifying `topic`. Turn off when an alarms construct
   * (`ServiceAlarms`) creates them with `drillFailedAlarmProps` / `drillStaleAlarmProps`.
   * @default true
   */
  readonly alarms?: boolean;
  /**
   * Where drill outcomes are announced.
   * @default - a new topic encrypted with the database's key
   */
  readonly topic?: sns.ITopic;
  /**
   * Write a heartbeat row to the database every minute, so every drill measures the RPO even
   * when the application writes rarely (the check is added for you).
   * @default false
   */
  readonly heartbeat?: boolean;
  /**
   * Where the validator runs: it needs the copy and the Secrets Manager API.
   * @default - the database's function subnets
   */
  readonly validatorSubnets?: ec2.SubnetSelection;
}
