import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** One alarm as `ServiceAlarms` defines it: what it watches, when it fires, what it says. */
export interface AlarmSpec {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparison: cloudwatch.ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm?: number;
  readonly missing: cloudwatch.TreatMissingData;
  /** What happened and what to look at first. */
  readonly description: string;
  /** Notify the topic on ALARM and OK. @default true */
  readonly notify?: boolean;
}
