import * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { topicRuleTarget } from '../private/topic-publishers';
import type { ProductionNetwork } from './production-network';

export interface NatRecoveryNotificationsProps {
  /** The network whose NAT instances' recovery alarms are watched. */
  readonly network: ProductionNetwork;
  /** Where the on-call hears of them (its policy is extended to admit this account's rules). */
  readonly topic: sns.ITopic;
}

/**
 * Tells the on-call when a NAT instance's recovery or reboot alarm changes state: CloudWatch sends
 * every alarm state change to EventBridge, so the alarms themselves (beside the network, with their
 * EC2 actions) need no reference to a topic in a later stack. Creates nothing for NAT gateways.
 */
export class NatRecoveryNotifications extends Construct {
  /** The rule (absent when the network has no NAT instances). */
  public readonly rule?: events.Rule;

  constructor(scope: Construct, id: string, props: NatRecoveryNotificationsProps) {
    super(scope, id);
    if (props.network.natRecoveryAlarms.length === 0) return;
    this.rule = new events.Rule(this, 'Rule', {
      description: 'A NAT instance status check failed (EC2 recovers or reboots it) or recovered',
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: props.network.natRecoveryAlarms.map((alarm) => alarm.alarmArn),
      },
      targets: [topicRuleTarget(props.topic)],
    });
  }
}
