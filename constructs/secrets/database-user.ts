import * as path from 'node:path';
import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IDependable } from 'constructs';
import { acknowledgeFunctionFindings, acknowledgeProviderFindings, shipshapeFunction } from '../private/node-function';
import { rotateDatabaseCredentials, validateRotationInterval } from './credential-rotation';

export interface DatabaseUserProps {
  /** The database (cluster or instance) the secret is attached to. */
  readonly target: secretsmanager.ISecretAttachmentTarget;
  /** The database's connections, with its port as the default port: the functions are allowed in. */
  readonly database: ec2.IConnectable;
  /** Created with, or rotated into, the database: the bootstrap waits for these (e.g. Aurora instances). */
  readonly readyAfter: IDependable[];
  /** The master secret, attached to the same database. */
  readonly masterSecret: secretsmanager.ISecret;
  /** The database the user owns. */
  readonly databaseName: string;
  /** The login name; rotation alternates between it and `<username>_clone`. */
  readonly username: string;
  readonly vpc: ec2.IVpc;
  /** Where the bootstrap and rotation functions run (database and Secrets Manager reachable). */
  readonly functionSubnets: ec2.SubnetSelection;
  /** Encrypts the secret and the functions' logs; must allow CloudWatch Logs. */
  readonly encryptionKey: kms.IKey;
  /**
   * Days between rotations.
   * @default Duration.days(30)
   */
  readonly rotationInterval?: Duration;
  /**
   * Retention of the bootstrap function's log.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

const USERNAME_PATTERN = /^[a-z_][a-z0-9_]{0,53}$/;

/**
 * An application login separate from the master, rotated with the multi-user strategy: each
 * rotation switches the secret between `<user>` and `<user>_clone` and changes the password of
 * the one not in use, so tasks that started with the previous value keep connecting until the
 * service has been redeployed.
 *
 * A custom resource creates the role (owner of the application database) before the first
 * rotation, which needs it to exist.
 */
export class DatabaseUser extends Construct {
  /** The user's credentials, attached to the database (host, port, dbname, username, password). */
  public readonly secret: secretsmanager.ISecret;
  public readonly username: string;
  public readonly rotationSchedule: secretsmanager.RotationSchedule;

  constructor(scope: Construct, id: string, props: DatabaseUserProps) {
    super(scope, id);
    if (!USERNAME_PATTERN.test(props.username) || props.username.endsWith('_clone')) {
      throw new Error(
        `DatabaseUser.username: "${props.username}" must be 1-54 lowercase letters, digits or _, start with a letter or _, ` +
          `and not end in _clone (rotation adds that suffix)`,
      );
    }
    const interval = props.rotationInterval ?? Duration.days(30);
    validateRotationInterval(interval, 'DatabaseUser.rotationInterval');
    this.username = props.username;

    const secret = new rds.DatabaseSecret(this, 'Secret', {
      username: props.username,
      dbname: props.databaseName,
      masterSecret: props.masterSecret,
      encryptionKey: props.encryptionKey,
    });
    this.secret = secret.attach(props.target);

    const bootstrap = this.bootstrap(props);
    this.rotationSchedule = rotateDatabaseCredentials(this.secret, {
      database: props.database,
      vpc: props.vpc,
      subnets: props.functionSubnets,
      interval,
      masterSecret: props.masterSecret,
    });
    // Secrets Manager rotates once as soon as rotation is configured: the user must exist by then.
    this.rotationSchedule.node.addDependency(bootstrap);
  }

  private bootstrap(props: DatabaseUserProps): CustomResource {
    const fn = shipshapeFunction(this, 'Bootstrap', {
      entry: path.join(__dirname, 'runtime', 'bootstrap-user.lambda.ts'),
      description: `Creates the database user ${props.username} before its first rotation`,
      key: props.encryptionKey,
      logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      vpc: props.vpc,
      vpcSubnets: props.functionSubnets,
      timeout: Duration.minutes(2),
      // Node 20+ runtimes load the Amazon RDS certificate authorities only when asked to.
      environment: { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' },
    });
    acknowledgeFunctionFindings(fn, 'CloudFormation calls it synchronously through the Provider framework');
    props.masterSecret.grantRead(fn);
    this.secret.grantRead(fn);
    props.database.connections.allowDefaultPortFrom(fn, `bootstrap of the ${props.username} user`);

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: fn,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', {
        retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
        encryptionKey: props.encryptionKey,
        removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      }),
    });
    acknowledgeProviderFindings(provider, fn);
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::ShipshapeDatabaseUser',
      properties: {
        MasterSecretArn: props.masterSecret.secretArn,
        UserSecretArn: this.secret.secretArn,
        DatabaseName: props.databaseName,
      },
    });
    for (const dependable of props.readyAfter) resource.node.addDependency(dependable);
    return resource;
  }
}
