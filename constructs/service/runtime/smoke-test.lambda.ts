import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { runSmokeTest } from './smoke-test';

const logger = new Logger({ serviceName: 'shipshape-smoke-test' });
const secrets = new SecretsManagerClient({});

/** What ECS passes to a deployment lifecycle hook (the fields used here). */
interface LifecycleHookEvent {
  readonly executionDetails?: { readonly serviceArn?: string; readonly targetServiceRevisionArn?: string; readonly lifecycleStage?: string };
}

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/**
 * ECS lifecycle hook (POST_TEST_TRAFFIC_SHIFT): the new revision has test traffic only. A FAILED
 * answer rolls the deployment back before any production request reaches it.
 */
export async function handler(event: LifecycleHookEvent): Promise<{ hookStatus: 'SUCCEEDED' | 'FAILED' }> {
  const revision = event.executionDetails?.targetServiceRevisionArn;
  logger.appendKeys({ correlation_id: revision ?? 'unknown-revision' });
  try {
    const token = await secrets.send(new GetSecretValueCommand({ SecretId: setting('TEST_TOKEN_SECRET_ARN') }));
    const result = await runSmokeTest({
      baseUrl: setting('BASE_URL'),
      path: setting('SMOKE_PATH'),
      expectedStatus: Number(setting('EXPECTED_STATUS')),
      attempts: Number(setting('ATTEMPTS')),
      timeoutMs: Number(setting('TIMEOUT_MS')),
      retryDelayMs: Number(setting('RETRY_DELAY_MS')),
      header: { name: setting('TEST_HEADER'), value: token.SecretString ?? '' },
    });
    if (result.passed) logger.info(result.message, { attempts: result.attempts });
    else logger.error(result.message, { attempts: result.attempts });
    return { hookStatus: result.passed ? 'SUCCEEDED' : 'FAILED' };
  } catch (error) {
    logger.error('smoke test could not run', error as Error);
    return { hookStatus: 'FAILED' };
  }
}
