import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { Client } from 'pg';
import { writeHeartbeat } from './heartbeat';

const logger = new Logger({ serviceName: 'shipshape-heartbeat' });
const secrets = new SecretsManagerClient({});

/** Every minute: writes the heartbeat as the master user, over verified TLS, to the writer. */
export async function handler(_event: unknown, context: Context): Promise<{ beatAt: string }> {
  logger.addContext(context);
  logger.appendKeys({ correlationId: context.awsRequestId });
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.MASTER_SECRET_ARN }));
  const login = JSON.parse(secret.SecretString ?? '{}') as { host: string; port: number; username: string; password: string };
  const client = new Client({
    host: login.host,
    port: login.port,
    user: login.username,
    password: login.password,
    database: process.env.DATABASE_NAME,
    ssl: { rejectUnauthorized: true },
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  try {
    const beatAt = await writeHeartbeat(client);
    return { beatAt: beatAt.toISOString() };
  } finally {
    await client.end();
  }
}
