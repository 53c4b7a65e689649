import { BackupClient } from '@aws-sdk/client-backup';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { cleanup } from './cleanup';
import type { DrillClients } from './drill-clients';
import { DRILL_METRICS_SERVICE, DRILL_NAMESPACE } from './drill-metrics';
import type { DrillState } from './drill-state';
import { pickSource } from './pick-source';
import { type DrillMetric, report } from './report';
import { checkAccess, checkRestore, prepareAccess, startRestore } from './restore-copy';

const logger = new Logger({ serviceName: 'shipshape-restore-drill' });
const clients: DrillClients = { rds: new RDSClient({}), backup: new BackupClient({}), now: () => new Date() };
const s3 = new S3Client({});
const sns = new SNSClient({});

const STEPS = { pickSource, startRestore, checkRestore, prepareAccess, checkAccess, cleanup } as const;

export type DrillStepName = keyof typeof STEPS | 'report';

function publishMetrics(metrics: DrillMetric[], database: string): void {
  for (const metric of metrics) {
    const single = new Metrics({ namespace: DRILL_NAMESPACE, serviceName: DRILL_METRICS_SERVICE }).singleMetric();
    single.addDimension('Database', database);
    if (metric.check) single.addDimension('Check', metric.check);
    single.addMetric(metric.name, metric.unit === 'Seconds' ? MetricUnit.Seconds : MetricUnit.Count, metric.value);
  }
}

/** One drill step per invocation; the state machine passes the drill state and keeps the result. */
export async function handler(event: { step: DrillStepName; state: DrillState }, context: Context): Promise<DrillState> {
  logger.addContext(context);
  logger.appendKeys({ step: event.step, correlationId: event.state.executionName });
  const result = event.step === 'report' ? await report(event.state, { s3, sns, publishMetrics }) : await STEPS[event.step](event.state, clients);
  logger.info('drill step done', { ready: result.ready, cleaned: result.cleaned, source: result.source?.kind });
  return result;
}
