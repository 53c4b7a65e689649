import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { Context } from 'aws-lambda';
import { type AlarmStateChangeEvent, rollBackOnAlarm, type RollbackOutcome } from './alarm-rollback';

/** The namespace and `service` dimension of the rollback function's metrics. */
export const ALARM_ROLLBACK_NAMESPACE = 'shipshape/AlarmRollback';
export const ALARM_ROLLBACK_SERVICE = 'shipshape-alarm-rollback';

const logger = new Logger({ serviceName: ALARM_ROLLBACK_SERVICE });
const metrics = new Metrics({ namespace: ALARM_ROLLBACK_NAMESPACE, serviceName: ALARM_ROLLBACK_SERVICE });
const ecs = new ECSClient({});

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/**
 * A rollback alarm went to ALARM (EventBridge, asynchronous invocation): stops the service's
 * running deployment with rollback. A failure is thrown, so Lambda retries it and counts an error.
 */
export async function handler(event: AlarmStateChangeEvent, context: Context): Promise<RollbackOutcome> {
  logger.addContext(context);
  logger.appendKeys({ correlationId: event.id ?? context.awsRequestId });
  try {
    const outcome = await rollBackOnAlarm(ecs, { serviceArn: setting('SERVICE_ARN'), cluster: setting('CLUSTER_ARN') }, event);
    if (outcome.action === 'stopped') {
      logger.warn('deployment stopped with rollback: a rollback alarm went to ALARM', { ...outcome });
      metrics.addMetric('DeploymentsStopped', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    } else if (outcome.reason === 'finished-before-stop') {
      logger.error('the deployment finished before it could be stopped: the new revision is live; roll back with `shipshape rollback`', { ...outcome });
    } else {
      logger.info('nothing to stop', { ...outcome });
    }
    return outcome;
  } catch (error) {
    logger.error('could not stop the deployment', error as Error);
    throw error;
  }
}
