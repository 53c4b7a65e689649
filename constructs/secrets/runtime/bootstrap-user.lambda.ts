import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { Client } from 'pg';
import { type BootstrapResult, bootstrapUser } from './bootstrap-user';

const logger = new Logger({ serviceName: 'shipshape-database-user' });
const secrets = new SecretsManagerClient({});

/**
 * Custom resource handler (behind the CDK Provider framework). The connection requires TLS and
 * verifies the certificate against the RDS CAs, which `NODE_EXTRA_CA_CERTS` loads.
 */
export async function handler(event: CloudFormationCustomResourceEvent, context: Context): Promise<BootstrapResult> {
  logger.addContext(context);
  logger.appendKeys({ requestType: event.RequestType, correlationId: event.RequestId });
  const result = await bootstrapUser(event, {
    secrets,
    connect: (config) => new Client({ ...config, ssl: { rejectUnauthorized: true }, connectionTimeoutMillis: 10_000 }),
  });
  logger.info('database user bootstrapped', { physicalResourceId: result.PhysicalResourceId, outcome: result.Data.Outcome });
  return result;
}
