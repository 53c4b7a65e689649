import { Logger } from '@aws-lambda-powertools/logger';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { Context } from 'aws-lambda';
import { checkFirstMigration, type FirstMigrationCheck, type FirstMigrationResult } from './first-migration';

const logger = new Logger({ serviceName: 'shipshape-first-migration' });
const clients = { ecs: new ECSClient({}), now: () => new Date() };

/** The Provider framework's isComplete handler of the first migration: polled until the task stops. */
export async function handler(event: FirstMigrationCheck & { readonly RequestId?: string }, context?: Context): Promise<FirstMigrationResult> {
  if (context) logger.addContext(context);
  logger.appendKeys({ requestType: event.RequestType, correlation_id: event.RequestId });
  try {
    const result = await checkFirstMigration(clients, event);
    logger.info(result.IsComplete ? 'first migration done' : 'first migration running', { taskArn: event.Data?.TaskArn });
    return result;
  } catch (error) {
    logger.error('first migration failed', error as Error);
    throw error;
  }
}
