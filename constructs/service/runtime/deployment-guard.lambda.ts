import { Logger } from '@aws-lambda-powertools/logger';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { Context } from 'aws-lambda';
import { type DeploymentGuardEvent, type DeploymentGuardResult, guardDeployment } from './deployment-guard';

const logger = new Logger({ serviceName: 'shipshape-deployment-guard' });
const clients = { cloudformation: new CloudFormationClient({}), ecs: new ECSClient({}) };

/** Custom resource handler (behind the CDK Provider framework): an error fails the stack update, with its message. */
export async function handler(event: DeploymentGuardEvent & { readonly RequestId?: string }, context?: Context): Promise<DeploymentGuardResult> {
  if (context) logger.addContext(context);
  logger.appendKeys({ requestType: event.RequestType, correlation_id: event.RequestId });
  try {
    const result = await guardDeployment(clients, event);
    logger.info(result.Data.Outcome);
    return result;
  } catch (error) {
    logger.error('update refused', error as Error);
    throw error;
  }
}
