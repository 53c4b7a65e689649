import { Logger } from '@aws-lambda-powertools/logger';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { Context } from 'aws-lambda';
import { type FirstMigrationEvent, type FirstMigrationStarted, startFirstMigration } from './first-migration';

const logger = new Logger({ serviceName: 'shipshape-first-migration' });
const clients = { ecs: new ECSClient({}), now: () => new Date() };

/** The Provider framework's onEvent handler of the first migration: starts the task on Create. */
export async function handler(event: FirstMigrationEvent & { readonly RequestId?: string }, context?: Context): Promise<FirstMigrationStarted> {
  if (context) logger.addContext(context);
  logger.appendKeys({ requestType: event.RequestType, correlation_id: event.RequestId });
  const started = await startFirstMigration(clients, event);
  logger.info(started.Data.TaskArn ? 'first migration started' : 'nothing to run', { physicalResourceId: started.PhysicalResourceId });
  return started;
}
