import { Aws } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
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

/** The publishers each topic's policy already admits, so that admitting twice adds nothing. */
const admitted = new WeakMap<sns.ITopic, Set<ServicePublisher>>();

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
export function admitServicePublishers(topic: sns.ITopic, publishers: ServicePublisher[], key: kms.IKey | undefined = topic.masterKey): void {
  const already = admitted.get(topic) ?? new Set<ServicePublisher>();
  admitted.set(topic, already);
  for (const publisher of publishers.filter((p) => !already.has(p))) {
    already.add(publisher);
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
  }
}

/**
 * An EventBridge target for `topic` that admits this account's rules in the topic's policy and its
 * key's, with source conditions (`targets.SnsTopic` grants every account's rules). An imported
 * topic's policy cannot be changed here: its owner must admit EventBridge.
 */
export function topicRuleTarget(topic: sns.ITopic, message?: events.RuleTargetInput): events.IRuleTarget {
  admitServicePublishers(topic, ['eventbridge-rules']);
  return { bind: () => ({ arn: topic.topicArn, input: message, targetResource: topic }) };
}

/** The workspaces each topic's policy admits, and the keys that already let Prometheus encrypt. */
const admittedWorkspaces = new WeakMap<sns.ITopic, number>();
const prometheusKeys = new WeakSet<kms.IKey>();

/**
 * Lets the alert manager of one Amazon Managed Service for Prometheus workspace publish to `topic`
 * (sns:Publish and sns:GetTopicAttributes, conditioned on this account and that workspace's ARN), and
 * use the key that encrypts it (kms:GenerateDataKey* and kms:Decrypt), as
 * https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-alertmanager-receiver-AMPpermission.html
 * documents. That page's key statement carries no conditions, as for EventBridge: the topic
 * statement is conditioned, and the key is the topic's own. Returns false when the topic's policy
 * cannot be changed here (an imported topic): its owner must admit the workspace.
 */
export function admitPrometheusAlertManager(topic: sns.ITopic, workspaceArn: string, key: kms.IKey | undefined = topic.masterKey): boolean {
  const count = (admittedWorkspaces.get(topic) ?? 0) + 1;
  admittedWorkspaces.set(topic, count);
  const principal = new iam.ServicePrincipal('aps.amazonaws.com');
  const { statementAdded } = topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: `PrometheusAlertManagerPublish${count > 1 ? count : ''}`,
      principals: [principal],
      actions: ['sns:Publish', 'sns:GetTopicAttributes'],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID }, ArnEquals: { 'aws:SourceArn': workspaceArn } },
    }),
  );
  if (!key || prometheusKeys.has(key)) return statementAdded;
  prometheusKeys.add(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'PrometheusAlertManagerEncryptNotifications',
      principals: [principal],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  );
  return statementAdded;
}
