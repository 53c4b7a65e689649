import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type CheckResult, drillId, type DrillState } from './drill-state';

/** The JSON a drill leaves in the report bucket; `shipshape drill status` reads it back. */
export interface DrillReport {
  readonly drillId: string;
  readonly executionName: string;
  readonly database: string;
  readonly engine: string;
  readonly outcome: 'succeeded' | 'failed';
  /** Why it failed: the failing checks or the step error. */
  readonly reason?: string;
  readonly source?: DrillState['source'];
  readonly startedAt: string;
  readonly validatedAt?: string;
  /** Restore start to validated copy, in seconds. */
  readonly rtoSeconds?: number;
  /** Restore target time minus the newest write found, in seconds. */
  readonly rpoSeconds?: number;
  readonly checks: readonly CheckResult[];
}

export function buildReport(state: DrillState): DrillReport {
  const validation = state.validation;
  const succeeded = !state.error && validation?.passed === true;
  const failedChecks = validation?.checks.filter((c) => !c.passed) ?? [];
  const reason = state.error
    ? `${state.error.Error ?? 'Error'}: ${errorMessage(state.error.Cause)}`
    : failedChecks.length > 0
      ? failedChecks.map((c) => `${c.name}: ${c.message}`).join('; ')
      : validation
        ? undefined
        : 'the copy was never validated';
  const seconds = (from: string, to: string) => Math.round((new Date(to).getTime() - new Date(from).getTime()) / 1000);
  return {
    drillId: drillId(state),
    executionName: state.executionName,
    database: state.config.databaseLabel,
    engine: state.config.engine,
    outcome: succeeded ? 'succeeded' : 'failed',
    reason: succeeded ? undefined : reason,
    source: state.source,
    startedAt: state.startedAt,
    validatedAt: validation?.validatedAt,
    rtoSeconds: succeeded && validation ? seconds(state.startedAt, validation.validatedAt) : undefined,
    rpoSeconds: validation?.newestWrite && state.source ? Math.max(0, seconds(validation.newestWrite, state.source.targetTime)) : undefined,
    checks: validation?.checks ?? [],
  };
}

/** A Step Functions Cause is often a JSON error from Lambda; keep its message. */
function errorMessage(cause: string | undefined): string {
  if (!cause) return 'no detail';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}

/** One CloudWatch value the report publishes (as EMF through Powertools in the Lambda). */
export interface DrillMetric {
  readonly name: 'DrillSucceeded' | 'DrillFailed' | 'RtoSeconds' | 'RpoSeconds' | 'CheckPassed';
  readonly value: number;
  readonly unit: 'Count' | 'Seconds';
  /** Extra dimensions beyond `Database`. */
  readonly check?: string;
}

export function drillMetrics(report: DrillReport): DrillMetric[] {
  const metrics: DrillMetric[] = [
    { name: 'DrillSucceeded', value: report.outcome === 'succeeded' ? 1 : 0, unit: 'Count' },
    { name: 'DrillFailed', value: report.outcome === 'failed' ? 1 : 0, unit: 'Count' },
  ];
  if (report.rtoSeconds !== undefined) metrics.push({ name: 'RtoSeconds', value: report.rtoSeconds, unit: 'Seconds' });
  if (report.rpoSeconds !== undefined) metrics.push({ name: 'RpoSeconds', value: report.rpoSeconds, unit: 'Seconds' });
  for (const check of report.checks) metrics.push({ name: 'CheckPassed', value: check.passed ? 1 : 0, unit: 'Count', check: check.name });
  return metrics;
}

export function reportKey(report: DrillReport): string {
  return `drills/${report.database}/${report.startedAt}_${report.drillId}.json`;
}

export interface ReportDependencies {
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly publishMetrics: (metrics: DrillMetric[], database: string) => void;
}

/** Step 7: metrics, the JSON report in S3 and a notification; runs for successes and failures. */
export async function report(state: DrillState, deps: ReportDependencies): Promise<DrillState> {
  const drillReport = buildReport(state);
  const key = reportKey(drillReport);
  deps.publishMetrics(drillMetrics(drillReport), drillReport.database);
  await deps.s3.send(
    new PutObjectCommand({ Bucket: state.config.reportBucket, Key: key, Body: JSON.stringify(drillReport, null, 2), ContentType: 'application/json' }),
  );
  const figures = drillReport.outcome === 'succeeded' ? `RTO ${drillReport.rtoSeconds} s, RPO ${drillReport.rpoSeconds ?? 'not measured'} s` : drillReport.reason;
  await deps.sns.send(
    new PublishCommand({
      TopicArn: state.config.topicArn,
      Subject: `Restore drill ${drillReport.outcome}: ${drillReport.database}`.slice(0, 100),
      Message: `Restore drill ${drillReport.drillId} of ${drillReport.database} ${drillReport.outcome}: ${figures}\nReport: s3://${state.config.reportBucket}/${key}`,
    }),
  );
  return { ...state, reportKey: key };
}
