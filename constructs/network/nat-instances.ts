import { Aspects, Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';

/** What translates the private subnets' addresses for the internet. */
export enum NatDevice {
  /** Managed NAT gateways: scale to 100 Gbps, no patching (~$33/month each, plus $0.045/GB processed). */
  GATEWAY = 'gateway',
  /**
   * NAT instances (aws-cdk-lib's `NatProvider.instanceV2`, Amazon Linux 2023 with iptables): a
   * t4g.nano costs ~$3.70/month with its disk, and processing is free; but its bandwidth is the
   * instance's (t4g.nano: 32 Mbit/s baseline, bursts to 5 Gbit/s), a failure stops egress from the AZs
   * it serves until EC2 recovers or reboots it (minutes), and a deploy after AWS publishes a new
   * Amazon Linux image replaces it (egress pauses while the new one boots).
   */
  INSTANCE = 'instance',
}

/** The NAT instance type when none is given: the smallest Graviton burstable. */
export const DEFAULT_NAT_INSTANCE_TYPE = ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO);

/** A NAT instance provider that forwards only what comes from inside the VPC. */
export function natInstanceProvider(instanceType: ec2.InstanceType): ec2.NatInstanceProviderV2 {
  return ec2.NatProvider.instanceV2({
    instanceType,
    // Out to anywhere, in from nowhere: the VPC's range is admitted once the VPC exists (see hardenNatInstances).
    defaultAllowedTraffic: ec2.NatTrafficDirection.OUTBOUND_ONLY,
    // Public subnets assign no address on launch; a NAT instance needs its own.
    associatePublicIpAddress: true,
    creditSpecification: ec2.CpuCredits.STANDARD,
  });
}

/**
 * Admits the VPC's traffic to forward (the provider already allows all outbound), encrypts the root
 * volumes, requires IMDSv2, and acknowledges what the policy packs raise on a NAT instance.
 */
export function hardenNatInstances(scope: Construct, provider: ec2.NatInstanceProviderV2, cidr: string): void {
  provider.securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.allTraffic(), 'Traffic from the VPC to forward to the internet');
  Validations.of(provider.securityGroup).acknowledge({
    id: 'NIST.800.53.R5-EC2RestrictedCommonPorts',
    reason: "Inbound is open only to the VPC's own range: a NAT forwards whatever its private subnets send, on any port; nothing outside the VPC may connect.",
  });
  Aspects.of(scope).add(new ec2.InstanceRequireImdsv2Aspect());
  for (const instance of provider.gatewayInstances) {
    (instance.node.defaultChild as ec2.CfnInstance).blockDeviceMappings = [{ deviceName: '/dev/xvda', ebs: { encrypted: true, volumeType: 'gp3', deleteOnTermination: true } }];
    Validations.of(instance).acknowledge(
      {
        id: 'AwsSolutions-EC28',
        reason: 'A NAT instance needs no detailed monitoring: its status checks are published every minute at no charge, and alarms on them recover or reboot it.',
      },
      {
        id: 'NIST.800.53.R5-EC2InstanceDetailedMonitoringEnabled',
        reason: 'A NAT instance needs no detailed monitoring: its status checks are published every minute at no charge, and alarms on them recover or reboot it.',
      },
      {
        id: 'AwsSolutions-EC29',
        reason: 'CloudFormation replaces a NAT instance when its image changes; termination protection would make that update fail. Recovery alarms keep it running.',
      },
      {
        id: 'NIST.800.53.R5-EC2InstancesInVPC',
        reason: "The instance is in the VPC's public subnet: the subnet is set on its network interface (NetworkInterfaces[0].SubnetId), which this rule does not read.",
      },
      {
        id: 'NIST.800.53.R5-EC2InstanceNoPublicIp',
        reason: 'A NAT instance translates the private subnets to its own public address; it admits inbound traffic only from inside the VPC.',
      },
    );
  }
}

/**
 * Per NAT instance: EC2 recovers it onto healthy hardware when the system status check fails for 2
 * minutes, and reboots it when its own status check fails for 3.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/UsingAlarmActions.html
 */
export function natRecoveryAlarms(scope: Construct, provider: ec2.NatInstanceProviderV2): cloudwatch.Alarm[] {
  return provider.gatewayInstances.flatMap((instance, i) => {
    const metric = (metricName: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/EC2', metricName, dimensionsMap: { InstanceId: instance.instanceId }, statistic: 'Maximum', period: Duration.minutes(1) });
    const recover = new cloudwatch.Alarm(scope, `NatInstance${i + 1}SystemCheck`, {
      alarmDescription: `NAT instance ${i + 1}: the system status check failed; EC2 recovers the instance onto healthy hardware`,
      metric: metric('StatusCheckFailed_System'),
      threshold: 1,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });
    recover.addAlarmAction(new cloudwatchActions.Ec2Action(cloudwatchActions.Ec2InstanceAction.RECOVER));
    const reboot = new cloudwatch.Alarm(scope, `NatInstance${i + 1}InstanceCheck`, {
      alarmDescription: `NAT instance ${i + 1}: the instance status check failed; EC2 reboots it`,
      metric: metric('StatusCheckFailed_Instance'),
      threshold: 1,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });
    reboot.addAlarmAction(new cloudwatchActions.Ec2Action(cloudwatchActions.Ec2InstanceAction.REBOOT));
    return [recover, reboot];
  });
}
