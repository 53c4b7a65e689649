import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { RedundantService } from '../service/redundant-service';
import type { AlarmName, AlarmThresholds } from './alarm-thresholds';
import type { AlarmSpec } from './alarm-spec';

/**
 * Sensitive, fast alarms that exist to stop a bad release; they do not page (the composite
 * does): one minute of 5xx above the gate, and, when the app publishes one, a 10 s error count.
 */
export function releaseAlarmSpecs(service: RedundantService, thresholds: AlarmThresholds, fastErrorMetric?: cloudwatch.Metric): Array<[AlarmName, AlarmSpec]> {
  const specs: Array<[AlarmName, AlarmSpec]> = [
    [
      'release-5xx-rate',
      {
        metric: service.metric5xxRatePercent({ label: '5xx % (release gate)' }),
        threshold: thresholds.release5xxRatePercent,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        missing: cloudwatch.TreatMissingData.NOT_BREACHING,
        notify: false,
        description: 'One minute of 5xx above the release gate: a deployment in progress or baking rolls back. Look first at the new revision.',
      },
    ],
  ];
  if (fastErrorMetric) {
    specs.push([
      'release-fast-errors',
      {
        metric: fastErrorMetric.with({ period: Duration.seconds(10), statistic: 'Sum' }),
        threshold: thresholds.fastErrorsPer10Seconds,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        missing: cloudwatch.TreatMissingData.NOT_BREACHING,
        notify: false,
        description: 'The application reported errors within 10 s (high-resolution metric): a deployment in progress or baking rolls back.',
      },
    ]);
  }
  return specs;
}
