import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { rotationEventPattern } from './rotation-events';

export interface RotationFailureSignalProps {
  /** The secrets whose failed rotations count. */
  readonly secrets: secretsmanager.ISecret[];
}

/**
 * An EventBridge rule matching failed rotations of the given secrets. Its `TriggeredRules`
 * metric is the alarm signal (`metricRotationFailures()`); add targets to route the events.
 */
export class RotationFailureSignal extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: RotationFailureSignalProps) {
    super(scope, id);
    if (props.secrets.length === 0) {
      throw new Error('RotationFailureSignal.secrets: give at least one secret');
    }
    this.rule = new events.Rule(this, 'Rule', {
      description: 'A Secrets Manager rotation failed: the old credentials stay current until it is fixed',
      eventPattern: rotationEventPattern('RotationFailed', props.secrets),
    });
  }

  /** Failed rotations per period (Sum); no data means none failed. */
  public metricRotationFailures(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'TriggeredRules',
      dimensionsMap: { RuleName: this.rule.ruleName },
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...options,
    });
  }
}
