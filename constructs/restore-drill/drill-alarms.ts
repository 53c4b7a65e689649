import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { RestoreDrill } from './restore-drill';

/**
 * "A drill failed": a failed drill, or a failed or timed-out execution (which may not have
 * reported). Missing data is not breaching: no drill is not a failure (the stale alarm covers it).
 */
export function drillFailedAlarmProps(drill: RestoreDrill): cloudwatch.AlarmProps {
  const period = Duration.hours(1);
  return {
    alarmDescription:
      `A restore drill of ${drill.databaseLabel} failed. Look first at the drill report (shipshape drill status) and the state machine's ` +
      'failed step; the backups are unproven until a drill passes again.',
    metric: new cloudwatch.MathExpression({
      expression: 'FILL(drill, 0) + FILL(failed, 0) + FILL(timedOut, 0)',
      usingMetrics: {
        drill: drill.metricDrillFailed({ period }),
        failed: drill.stateMachine.metricFailed({ period, statistic: 'Sum' }),
        timedOut: drill.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
      },
      period,
      label: 'failed drills',
    }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  };
}

/**
 * "No successful drill in N days", from the sweeper's hourly DaysSinceLastSuccess (CloudWatch
 * caps an evaluation range at 7 days, so successes cannot be counted over 8). Missing data is
 * breaching: a sweeper that stopped reporting proves nothing.
 */
export function drillStaleAlarmProps(drill: RestoreDrill): cloudwatch.AlarmProps {
  return {
    alarmDescription:
      `No restore drill of ${drill.databaseLabel} has succeeded for ${drill.maxDaysWithoutSuccess} days (or the sweeper stopped reporting). ` +
      'Look first at the drill schedule and the last executions of the drill state machine.',
    metric: drill.metricDaysSinceLastSuccess(),
    threshold: drill.maxDaysWithoutSuccess,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  };
}
