import { ArnFormat, Aws, CfnRule, Duration, Fn, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { rotatingKey } from '../private/encryption';

/** A copy of every daily recovery point in a vault of another region of this account. */
export interface CrossRegionCopyOptions {
  /** The region holding the destination vault; never the stack's own region. */
  readonly region: string;
  /** The destination vault's name; it must exist in `region` before the first copy runs. */
  readonly vaultName: string;
  /**
   * How long copies are kept.
   * @default - the daily retention
   */
  readonly retention?: Duration;
}

/** WORM protection of the vault: recovery points cannot be deleted early, even by an admin. */
export interface VaultLockOptions {
  /** Recovery points younger than this cannot be deleted; every rule must keep at least this long. */
  readonly minRetention: Duration;
  /**
   * Recovery points older than this are deleted.
   * @default - no maximum
   */
  readonly maxRetention?: Duration;
  /**
   * Grace period after which the lock becomes immutable (compliance mode). Without it the lock
   * stays in governance mode: users with `backup:DeleteBackupVaultLockConfiguration` can lift it.
   * @default - governance mode
   */
  readonly changeableFor?: Duration;
}

/** What `ResilientDatabase` passes through to its backup plan. */
export interface DatabaseBackupPlanOptions {
  /**
   * How long daily recovery points are kept.
   * @default Duration.days(35)
   */
  readonly dailyRetention?: Duration;
  /**
   * When the daily backup starts.
   * @default - 05:00 UTC, after the automated backup and maintenance windows
   */
  readonly schedule?: events.Schedule;
  /**
   * Lock the vault (WORM).
   * @default - no lock
   */
  readonly vaultLock?: VaultLockOptions;
  /**
   * Copy each daily recovery point to another region.
   * @default - no copy
   */
  readonly crossRegionCopy?: CrossRegionCopyOptions;
}

export interface DatabaseBackupPlanProps extends DatabaseBackupPlanOptions {
  /** What the plan backs up. */
  readonly resources: backup.BackupResource[];
  /**
   * Point-in-time restore window of the continuous backup: 1 to 35 days. Keep it equal to the
   * database's own backup retention: AWS Backup takes over that setting.
   */
  readonly continuousRetention: Duration;
  /**
   * Encrypts the vault.
   * @default - a new customer-managed key with rotation on
   */
  readonly encryptionKey?: kms.IKey;
}

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

/**
 * An AWS Backup plan for a database: daily snapshots plus continuous backup (point-in-time
 * restore), in a KMS-encrypted vault kept when the stack is deleted (removed only when the create
 * that made it rolls back), with optional vault lock and cross-region copy. Recovery points
 * outlive the database itself: the copy a restore drill can prove when the account or the
 * database is lost.
 */
export class DatabaseBackupPlan extends Construct {
  public readonly vault: backup.BackupVault;
  public readonly plan: backup.BackupPlan;
  public readonly encryptionKey: kms.IKey;
  public readonly dailyRetention: Duration;
  public readonly continuousRetention: Duration;
  /** The role AWS Backup uses to back up and restore the selection (restore drills pass it). */
  public readonly restoreRole: iam.Role;

  constructor(scope: Construct, id: string, props: DatabaseBackupPlanProps) {
    super(scope, id);
    this.dailyRetention = props.dailyRetention ?? Duration.days(35);
    this.continuousRetention = props.continuousRetention;
    validateRetentions(this.dailyRetention, this.continuousRetention, props.vaultLock);
    this.encryptionKey = props.encryptionKey ?? rotatingKey(this, 'Key', 'shipshape backup vault');
    this.vault = new backup.BackupVault(this, 'Vault', {
      encryptionKey: this.encryptionKey,
      // Named (CDK gives a vault a fixed name): kept on delete, but a failed create removes it
      // (still empty) so the retry does not find it "already exists".
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      lockConfiguration: props.vaultLock,
    });
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: Names.uniqueResourceName(this, { maxLength: 50, separator: '-' }),
      backupVault: this.vault,
    });
    this.plan.addRule(
      new backup.BackupPlanRule({
        ruleName: 'Daily',
        scheduleExpression: props.schedule ?? events.Schedule.cron({ hour: '5', minute: '0' }),
        startWindow: Duration.hours(1),
        completionWindow: Duration.hours(8),
        deleteAfter: this.dailyRetention,
        copyActions: props.crossRegionCopy ? [this.copyAction(props.crossRegionCopy)] : undefined,
      }),
    );
    this.plan.addRule(
      new backup.BackupPlanRule({
        ruleName: 'Continuous',
        enableContinuousBackup: true,
        // Continuous backup streams the transaction log; its schedule only sets when snapshots
        // are taken, half a day away from the daily rule's so the two jobs never collide.
        scheduleExpression: events.Schedule.cron({ hour: '17', minute: '0' }),
        deleteAfter: this.continuousRetention,
      }),
    );
    this.restoreRole = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: 'AWS Backup: back up and restore the database',
      managedPolicies: ['AWSBackupServiceRolePolicyForBackup', 'AWSBackupServiceRolePolicyForRestores'].map((name) =>
        iam.ManagedPolicy.fromAwsManagedPolicyName(`service-role/${name}`),
      ),
    });
    this.plan.addSelection('Database', { resources: props.resources, role: this.restoreRole });
  }

  private copyAction(copy: CrossRegionCopyOptions): backup.BackupPlanCopyActionProps {
    const at = 'DatabaseBackupPlan.crossRegionCopy';
    if (!REGION_PATTERN.test(copy.region)) {
      throw new Error(`${at}.region: "${copy.region}" is not a region name such as us-west-2`);
    }
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region) && region === copy.region) {
      throw new Error(`${at}.region: ${copy.region} is this stack's own region; a copy must survive the loss of the region, choose another`);
    }
    if (Token.isUnresolved(region)) {
      // An environment-agnostic stack learns its region at deploy time: refuse it there, before any resource is created.
      new CfnRule(this, 'CopyRegionDiffers', {
        assertions: [
          {
            assert: Fn.conditionNot(Fn.conditionEquals(Aws.REGION, copy.region)),
            assertDescription: `The backup copy region ${copy.region} must differ from the stack's region`,
          },
        ],
      });
    }
    const vaultArn = Stack.of(this).formatArn({
      service: 'backup',
      region: copy.region,
      resource: 'backup-vault',
      resourceName: copy.vaultName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    return {
      destinationBackupVault: backup.BackupVault.fromBackupVaultArn(this, 'CopyVault', vaultArn),
      deleteAfter: copy.retention ?? this.dailyRetention,
    };
  }
}

function validateRetentions(daily: Duration, continuous: Duration, lock?: VaultLockOptions): void {
  const at = 'DatabaseBackupPlan';
  const continuousDays = continuous.toDays();
  if (continuousDays < 1 || continuousDays > 35) {
    throw new Error(`${at}.continuousRetention: continuous backup keeps 1 to 35 days (got ${continuousDays})`);
  }
  if (daily.toDays() < 1) {
    throw new Error(`${at}.dailyRetention: at least 1 day (got ${daily.toHumanString()})`);
  }
  if (lock && lock.minRetention.toDays() > Math.min(daily.toDays(), continuousDays)) {
    throw new Error(
      `${at}.vaultLock.minRetention: ${lock.minRetention.toDays()} days is longer than a rule keeps its recovery points ` +
        `(${Math.min(daily.toDays(), continuousDays)} days); backup jobs into the locked vault would fail`,
    );
  }
}
