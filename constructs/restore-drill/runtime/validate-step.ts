import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Client, ClientConfig } from 'pg';
import type { DrillState } from './drill-state';
import { validateCopy } from './validate-copy';

export interface ValidateDependencies {
  readonly secrets: SecretsManagerClient;
  /** Opens a client; the Lambda's requires TLS and verifies the certificate. */
  readonly connect: (config: ClientConfig) => Client;
  readonly now: () => Date;
}

/**
 * Step 6: logs in to the copy with its managed master secret and runs the checks. A copy that
 * cannot be reached (wrong password, no TLS) is a failed drill with the reason, not a crash.
 */
export async function validateStep(state: DrillState, deps: ValidateDependencies): Promise<DrillState> {
  if (!state.endpoint || !state.masterSecretArn || !state.source) throw new Error('validate needs the copy endpoint, its secret and the source');
  const secret = await deps.secrets.send(new GetSecretValueCommand({ SecretId: state.masterSecretArn }));
  const login = JSON.parse(secret.SecretString ?? '{}') as { username?: string; password?: string };
  const client = deps.connect({
    host: state.endpoint.host,
    port: state.endpoint.port,
    user: login.username,
    password: login.password,
    database: state.config.databaseName,
  });
  try {
    await client.connect();
  } catch (error) {
    const now = deps.now().toISOString();
    return {
      ...state,
      validation: { passed: false, checks: [{ name: 'connectivity', passed: false, message: (error as Error).message }], validatedAt: now },
    };
  }
  try {
    const validation = await validateCopy(client, state.config.checks, {
      targetTime: new Date(state.source.targetTime),
      now: deps.now(),
    });
    return { ...state, validation };
  } finally {
    await client.end();
  }
}
