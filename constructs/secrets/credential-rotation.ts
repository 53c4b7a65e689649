import { Duration, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/** How often database credentials rotate when nothing else is said. */
export const DEFAULT_ROTATION_INTERVAL = Duration.days(30);

export interface CredentialRotationOptions {
  /** The database that checks the credentials: the rotation function is allowed to reach it. */
  readonly database: ec2.IConnectable;
  readonly vpc: ec2.IVpc;
  /** Subnets with a route to the database and to the Secrets Manager API. */
  readonly subnets: ec2.SubnetSelection;
  /** Days between rotations: 1 to 365. */
  readonly interval: Duration;
  /**
   * The master secret, for the multi-user strategy: the function logs in as the master and
   * alternates between `<user>` and `<user>_clone`, so the previous login stays valid until the
   * next rotation.
   * @default - single-user: the secret's own user changes its password
   */
  readonly masterSecret?: secretsmanager.ISecret;
}

/** Throws unless `interval` is a whole number of days from 1 to 365. */
export function validateRotationInterval(interval: Duration, owner: string): void {
  if (Token.isUnresolved(interval.toSeconds())) return;
  const days = interval.toDays({ integral: false });
  if (!Number.isInteger(days) || days < 1 || days > 365) {
    throw new Error(`${owner}: rotation interval must be a whole number of days from 1 to 365 (got ${interval.toHumanString()})`);
  }
}

/**
 * Rotates a database secret with the Secrets Manager hosted PostgreSQL rotation function (no
 * code of ours to maintain), placed in the VPC and allowed to reach the database.
 */
export function rotateDatabaseCredentials(secret: secretsmanager.ISecret, options: CredentialRotationOptions): secretsmanager.RotationSchedule {
  const common = { vpc: options.vpc, vpcSubnets: options.subnets };
  const hostedRotation = options.masterSecret
    ? secretsmanager.HostedRotation.postgreSqlMultiUser({ ...common, masterSecret: options.masterSecret })
    : secretsmanager.HostedRotation.postgreSqlSingleUser(common);
  const schedule = secret.addRotationSchedule('RotationSchedule', { hostedRotation, automaticallyAfter: options.interval });
  options.database.connections.allowDefaultPortFrom(hostedRotation, 'Secrets Manager rotation function');
  return schedule;
}
