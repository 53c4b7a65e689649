import { Annotations, type SecretValue, Tags, Token } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { rotatingKey } from '../private/encryption';
import { admitServicePublishers } from '../private/topic-publishers';

export interface AlarmTopicProps {
  /**
   * Who gets paged by email (each address confirms its subscription once).
   * @default - none
   */
  readonly emails?: string[];
  /**
   * HTTPS endpoints (chat or paging webhooks) that receive each notification as JSON, as plain
   * URLs: they are written into the template. A webhook URL usually carries a token: prefer
   * `secretWebhooks`.
   * @default - none
   */
  readonly webhooks?: string[];
  /**
   * HTTPS webhooks whose URL stays out of the template, e.g.
   * `SecretValue.secretsManager('shop/alarm-webhook')` (a secret whose value is the URL): the
   * template holds a dynamic reference that CloudFormation resolves when it creates the
   * subscription. A changed URL reaches the subscription only with a stack update that changes
   * the reference, e.g. to name the new version with `versionId`
   * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html).
   * @default - none
   */
  readonly secretWebhooks?: SecretValue[];
  /**
   * Encrypts the notifications at rest.
   * @default - a new customer-managed key with rotation on
   */
  readonly encryptionKey?: kms.IKey;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The topic alarms and deployment events notify: KMS-encrypted, TLS-only, with email and HTTPS
 * subscriptions. Its policy and its key's admit this account's CloudWatch alarms and EventBridge
 * rules (the TLS-only policy would refuse them otherwise); publish from code with `grantPublish`.
 */
export class AlarmTopic extends Construct {
  public readonly topic: sns.Topic;
  public readonly encryptionKey: kms.IKey;
  /** How many subscriptions (emails and webhooks) this construct made: 0 means the alarms reach nobody unless you subscribe someone. */
  public readonly recipients: number;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    Tags.of(this).add('shipshape:component', 'alarms');
    const badEmails = (props.emails ?? []).filter((e) => !EMAIL.test(e));
    if (badEmails.length > 0) throw new Error(`AlarmTopic.emails: ${badEmails.map((e) => `"${e}"`).join(', ')} is not an email address`);
    const badHooks = (props.webhooks ?? []).filter((w) => !Token.isUnresolved(w) && !isHttps(w));
    if (badHooks.length > 0) {
      throw new Error(`AlarmTopic.webhooks: ${badHooks.map((w) => `"${w}"`).join(', ')} must be an https:// URL (notifications are never sent in clear text)`);
    }
    this.encryptionKey = props.encryptionKey ?? rotatingKey(this, 'Key', 'shipshape alarm notifications');
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'shipshape alarms', masterKey: this.encryptionKey, enforceSSL: true });
    admitServicePublishers(this.topic, ['cloudwatch-alarms', 'eventbridge-rules']);
    for (const email of props.emails ?? []) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    for (const url of props.webhooks ?? []) this.topic.addSubscription(new subscriptions.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS }));
    // A dynamic reference renders as {{resolve:secretsmanager:...}}: the URL is never in the template
    // (https://docs.aws.amazon.com/secretsmanager/latest/userguide/cfn-example_reference-secret.html).
    for (const url of props.secretWebhooks ?? []) this.topic.addSubscription(new subscriptions.UrlSubscription(url.unsafeUnwrap(), { protocol: sns.SubscriptionProtocol.HTTPS }));
    const plain = (props.webhooks ?? []).filter((w) => !Token.isUnresolved(w));
    if (plain.length > 0) {
      Annotations.of(this).addWarningV2(
        'shipshape:webhook-url-in-template',
        `AlarmTopic.webhooks: ${plain.length} webhook URL(s) are written into the template in plain text, with any token they carry; ` +
          'store each URL in Secrets Manager and pass it as secretWebhooks: [SecretValue.secretsManager(name)]',
      );
    }
    this.recipients = (props.emails?.length ?? 0) + (props.webhooks?.length ?? 0) + (props.secretWebhooks?.length ?? 0);
  }
}

function isHttps(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}
