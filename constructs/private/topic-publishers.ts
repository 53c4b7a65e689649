import { Aws } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';

/** AWS services that publish to a topic on this account's behalf. */
export type ServicePublisher = 'cloudwatch-alarms' | 'eventbridge-rules';

const PUBLISHERS: Record<ServicePublisher, { service: string; sourceArn: string }> = {
  'cloudwatch-alarms': {
    service: 'cloudwatch.amazonaws.com',
    sourceArn: `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
  },
  'eventbridge-rules': {
    service: 'events.amazonaws.com',
    sourceArn: `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/*`,
  },
};

/** Topics whose policy admits this account's EventBridge rules (see `topicRuleTarget`). */
const admitsRules = new WeakSet<sns.ITopic>();

/**
 * Lets the given AWS services publish to `topic`, and use the key that encrypts it, on behalf of
 * this account's alarms or rules only.
 *
 * A topic that has a policy (`enforceSSL` creates one) accepts only what that policy allows, so
 * CloudWatch alarms and EventBridge rules must be named in it
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html), with
 * `aws:SourceAccount` and `aws:SourceArn` against the confused deputy
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
 * An encrypted topic also needs the publisher in the key policy
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
 * EventBridge's key use carries no source keys when it delivers to a topic, so its key statement
 * cannot be conditioned; the topic statement still is, and the key is the topic's own.
 */
export function admitServicePublishers(topic: sns.ITopic, key: kms.IKey | undefined, publishers: ServicePublisher[]): void {
  for (const publisher of publishers) {
    const { service, sourceArn } = PUBLISHERS[publisher];
    const sourceConditions = { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID }, ArnLike: { 'aws:SourceArn': sourceArn } };
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: publisher === 'cloudwatch-alarms' ? 'AlarmsOfThisAccountPublish' : 'EventRulesOfThisAccountPublish',
        principals: [new iam.ServicePrincipal(service)],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: sourceConditions,
      }),
    );
    key?.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: publisher === 'cloudwatch-alarms' ? 'AlarmsOfThisAccountEncryptNotifications' : 'EventRulesEncryptNotifications',
        principals: [new iam.ServicePrincipal(service)],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: publisher === 'cloudwatch-alarms' ? sourceConditions : undefined,
      }),
    );
    if (publisher === 'eventbridge-rules') admitsRules.add(topic);
  }
}

/**
 * An EventBridge target for `topic`. A topic that already admits this account's rules
 * (`admitServicePublishers`) gets no further grant: `targets.SnsTopic` would add an unconditioned
 * statement for every account's rules. Any other topic is granted the way aws-cdk-lib does it.
 */
export function topicRuleTarget(topic: sns.ITopic, message?: events.RuleTargetInput): events.IRuleTarget {
  if (!admitsRules.has(topic)) return new targets.SnsTopic(topic, { message });
  return { bind: () => ({ arn: topic.topicArn, input: message, targetResource: topic }) };
}
