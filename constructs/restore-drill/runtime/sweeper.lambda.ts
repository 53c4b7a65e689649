import { BackupClient } from '@aws-sdk/client-backup';
import { RDSClient } from '@aws-sdk/client-rds';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { sweep, type SweepResult } from './cleanup';
import { DRILL_METRICS_SERVICE, DRILL_NAMESPACE } from './drill-metrics';
import { daysSinceLastSuccess } from './freshness';

const logger = new Logger({ serviceName: 'shipshape-restore-drill-sweeper' });
const metrics = new Metrics({ namespace: DRILL_NAMESPACE, serviceName: DRILL_METRICS_SERVICE });
const clients = { rds: new RDSClient({}), backup: new BackupClient({}), now: () => new Date() };
const sfn = new SFNClient({});

/**
 * Hourly: deletes drill copies older than MAX_AGE_HOURS that a failed or timed-out drill left
 * behind, and publishes DaysSinceLastSuccess (the "no successful drill" alarm's metric).
 */
export async function handler(_event: unknown, context: Context): Promise<SweepResult & { daysSinceLastSuccess: number }> {
  logger.addContext(context);
  logger.appendKeys({ correlationId: context.awsRequestId });
  const result = await sweep(clients, Number(process.env.MAX_AGE_HOURS ?? '12'));
  if (result.deleted.length > 0) logger.warn('deleted drill copies left behind', { deleted: result.deleted });
  const days = await daysSinceLastSuccess(sfn, process.env.STATE_MACHINE_ARN ?? '', clients.now());
  metrics.addDimension('Database', process.env.DATABASE_LABEL ?? 'unknown');
  metrics.addMetric('DaysSinceLastSuccess', MetricUnit.Count, days);
  metrics.publishStoredMetrics();
  return { ...result, daysSinceLastSuccess: days };
}
