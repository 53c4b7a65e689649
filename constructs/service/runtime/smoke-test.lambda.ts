import { Logger } from '@aws-lambda-powertools/logger';
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadBalancerAddresses, runSmokeTest } from './smoke-test';

const logger = new Logger({ serviceName: 'shipshape-smoke-test' });
const secrets = new SecretsManagerClient({});
const ec2 = new EC2Client({});

/** What ECS passes to a deployment lifecycle hook (the fields used here). */
interface LifecycleHookEvent {
  readonly executionDetails?: { readonly serviceArn?: string; readonly targetServiceRevisionArn?: string; readonly lifecycleStage?: string };
}

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** The private addresses of the load balancer: its network interfaces carry the description `ELB <full name>`. */
async function privateAddresses(description: string): Promise<string[]> {
  const answer = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'description', Values: [description] }] }));
  return loadBalancerAddresses(answer.NetworkInterfaces ?? []);
}

/**
 * ECS lifecycle hook (POST_TEST_TRAFFIC_SHIFT): the new revision has test traffic only. A FAILED
 * answer rolls the deployment back before any production request reaches it.
 */
export async function handler(event: LifecycleHookEvent): Promise<{ hookStatus: 'SUCCEEDED' | 'FAILED' }> {
  const revision = event.executionDetails?.targetServiceRevisionArn;
  logger.appendKeys({ correlation_id: revision ?? 'unknown-revision' });
  try {
    const [token, addresses] = await Promise.all([
      secrets.send(new GetSecretValueCommand({ SecretId: setting('TEST_TOKEN_SECRET_ARN') })),
      privateAddresses(setting('LOAD_BALANCER_INTERFACES')),
    ]);
    const result = await runSmokeTest({
      addresses,
      port: Number(setting('TEST_PORT')),
      host: setting('HOST'),
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
