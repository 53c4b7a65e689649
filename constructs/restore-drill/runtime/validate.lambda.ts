import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { Client } from 'pg';
import type { DrillState } from './drill-state';
import { validateStep } from './validate-step';

const logger = new Logger({ serviceName: 'shipshape-restore-drill' });
const secrets = new SecretsManagerClient({});

/** Validates the copy from inside the VPC, over TLS verified against the RDS CAs (NODE_EXTRA_CA_CERTS). */
export async function handler(event: { state: DrillState }, context: Context): Promise<DrillState> {
  logger.addContext(context);
  logger.appendKeys({ step: 'validate', correlationId: event.state.executionName });
  const result = await validateStep(event.state, {
    secrets,
    connect: (config) => new Client({ ...config, ssl: { rejectUnauthorized: true }, connectionTimeoutMillis: 15_000, statement_timeout: 60_000 }),
    now: () => new Date(),
  });
  logger.info('copy validated', { passed: result.validation?.passed, checks: result.validation?.checks });
  return result;
}
