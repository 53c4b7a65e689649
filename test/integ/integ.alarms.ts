/**
 * Deploy-time proof of AlarmTopic: an alarm that goes to ALARM reaches a subscriber of the alarm
 * topic, through the topic policy and the key policy the kit writes. See docs/integration-tests.md.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AlarmTopic } from '../../constructs';
import { acknowledge } from '../../constructs/private/acknowledge';
import { integApp, testStack } from './support/integ-app';

const app = integApp();
const stack = testStack(app, 'ShipshapeIntegAlarms');
const alarmTopic = new AlarmTopic(stack, 'AlarmTopic');
// An alarm on a metric nobody publishes: it stays INSUFFICIENT_DATA until the test sets it.
const alarm = new cloudwatch.Alarm(stack, 'Alarm', {
  alarmDescription: 'shipshape integ test: set to ALARM by SetAlarmState',
  metric: new cloudwatch.Metric({ namespace: 'shipshape/IntegTest', metricName: 'NeverPublished', period: Duration.minutes(1) }),
  threshold: 1,
  evaluationPeriods: 1,
  treatMissingData: cloudwatch.TreatMissingData.MISSING,
});
alarm.addAlarmAction(new actions.SnsAction(alarmTopic.topic));

// The subscriber: an SQS queue, as a pager or chat integration would subscribe.
const queue = new sqs.Queue(stack, 'Subscriber', {
  encryption: sqs.QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
  retentionPeriod: Duration.hours(1),
});
alarmTopic.topic.addSubscription(new subscriptions.SqsSubscription(queue, { rawMessageDelivery: false }));
acknowledge(queue, 'AwsSolutions-SQS3', 'Integ test subscriber: the test reads it once and the stack is deleted; a dead-letter queue would hold nothing.');

const integ = new IntegTest(app, 'Alarms', { testCases: [stack], stackUpdateWorkflow: false, diffAssets: false });
integ.assertions
  .awsApiCall('CloudWatch', 'setAlarmState', { AlarmName: alarm.alarmName, StateValue: 'ALARM', StateReason: 'shipshape integ test' })
  .next(
    integ.assertions
      .awsApiCall('SQS', 'receiveMessage', { QueueUrl: queue.queueUrl, WaitTimeSeconds: 20, MaxNumberOfMessages: 10 })
      .expect(
        ExpectedResult.objectLike({
          Messages: Match.arrayWith([
            Match.objectLike({
              Body: Match.serializedJson({
                Type: 'Notification',
                TopicArn: alarmTopic.topic.topicArn,
                Message: Match.serializedJson({ AlarmName: alarm.alarmName, NewStateValue: 'ALARM' }),
              }),
            }),
          ]),
        }),
      )
      .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) }),
  );

app.synth();
