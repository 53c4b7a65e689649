import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { Client, ClientConfig } from 'pg';
import { type ApplicationUserOutcome, ensureApplicationUser } from './application-user';

/** The custom resource's properties, as `DatabaseUser` sets them. */
export interface BootstrapUserProperties {
  readonly MasterSecretArn: string;
  readonly UserSecretArn: string;
  readonly DatabaseName: string;
}

/** The fields RDS-attached secrets carry. */
interface DatabaseSecretValue {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly dbname?: string;
}

export interface BootstrapDependencies {
  readonly secrets: SecretsManagerClient;
  /** Opens a client; the Lambda's requires TLS and verifies the server certificate. */
  readonly connect: (config: ClientConfig) => Client;
}

export interface BootstrapResult {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly Outcome: ApplicationUserOutcome | 'kept' };
}

/**
 * Creates the application user on Create (and on an Update that names another user); a Delete
 * keeps the role: its objects may hold data, and dropping a login is a migration's decision.
 */
export async function bootstrapUser(event: CloudFormationCustomResourceEvent, deps: BootstrapDependencies): Promise<BootstrapResult> {
  const props = event.ResourceProperties as unknown as BootstrapUserProperties;
  const userSecret = await readSecret(deps.secrets, props.UserSecretArn);
  const physicalId = `${userSecret.username}@${props.DatabaseName}`;
  if (event.RequestType === 'Delete') {
    return { PhysicalResourceId: event.PhysicalResourceId, Data: { Outcome: 'kept' } };
  }
  const master = await readSecret(deps.secrets, props.MasterSecretArn);
  const client = deps.connect({
    host: master.host,
    port: master.port,
    user: master.username,
    password: master.password,
    database: props.DatabaseName,
  });
  await client.connect();
  try {
    const outcome = await ensureApplicationUser(
      client,
      { username: userSecret.username, password: userSecret.password, database: props.DatabaseName },
      // On Create the secret is the source of truth; later, rotation owns the password.
      { resetPassword: event.RequestType === 'Create' },
    );
    return { PhysicalResourceId: physicalId, Data: { Outcome: outcome } };
  } finally {
    await client.end();
  }
}

async function readSecret(secrets: SecretsManagerClient, secretId: string): Promise<DatabaseSecretValue> {
  const response = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!response.SecretString) {
    throw new Error(`Secret ${secretId} has no string value`);
  }
  const value = JSON.parse(response.SecretString) as Partial<DatabaseSecretValue>;
  for (const field of ['host', 'port', 'username', 'password'] as const) {
    if (value[field] === undefined) {
      throw new Error(`Secret ${secretId} has no "${field}" field: is it attached to the database?`);
    }
  }
  return value as DatabaseSecretValue;
}
