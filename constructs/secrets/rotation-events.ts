import type * as events from 'aws-cdk-lib/aws-events';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * Secrets Manager reports rotation outcomes as CloudTrail events, which EventBridge receives on
 * the default bus when a trail logs management events in the region (most accounts have one;
 * without it these rules never fire). The secret's ARN is in `additionalEventData.SecretId`.
 */
export function rotationEventPattern(eventName: 'RotationFailed' | 'RotationSucceeded', secrets: secretsmanager.ISecret[]): events.EventPattern {
  return {
    source: ['aws.secretsmanager'],
    detailType: ['AWS Service Event via CloudTrail'],
    detail: {
      eventName: [eventName],
      additionalEventData: { SecretId: secrets.map((s) => s.secretArn) },
    },
  };
}

/** An operator's new value (`put-secret-value`), as CloudTrail reports the API call. */
export function newValueEventPattern(secrets: secretsmanager.ISecret[]): events.EventPattern {
  return {
    source: ['aws.secretsmanager'],
    detailType: ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['secretsmanager.amazonaws.com'],
      eventName: ['PutSecretValue'],
      responseElements: { arn: secrets.map((s) => s.secretArn) },
    },
  };
}
