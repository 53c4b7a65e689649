/**
 * Which CloudFormation resource types hold something a replacement would lose: the one list the
 * update-safety contract reads. Every type that appears in a template the kit synthesizes must be
 * classified here, one way or the other, so a construct that adds a new type cannot slip past the
 * contract unclassified; and a resource the kit itself keeps on delete (a retaining DeletionPolicy)
 * must be of a type classified stateful.
 *
 * A replacement creates the new resource, points every reference at it, then deletes the old one:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html
 */

/** A stateful type: what its replacement loses. */
export interface Stateful {
  readonly loses: string;
}

export type Classification = Stateful | 'stateless';

const stateful = (loses: string): Stateful => ({ loses });

export const RESOURCE_TYPES: Readonly<Record<string, Classification>> = {
  // Data.
  'AWS::RDS::DBCluster': stateful('the database: a new cluster starts empty'),
  'AWS::RDS::DBInstance': stateful('the database instance: RDS storage, or an Aurora member whose replacement is a failover and a new endpoint'),
  'AWS::Backup::BackupVault': stateful('its recovery points'),
  'AWS::Backup::BackupPlan': stateful('its continuous backup: the point-in-time restore window starts again'),
  'AWS::KMS::Key': stateful('its key material: whatever it encrypted (data, snapshots, logs, secrets) needs the old key'),
  'AWS::SecretsManager::Secret': stateful('its value: generated, rotated or set by an operator'),
  'AWS::S3::Bucket': stateful('its objects'),
  'AWS::Logs::LogGroup': stateful('its log events'),
  'AWS::ECR::Repository': stateful('its images'),
  'AWS::SQS::Queue': stateful('its messages: a dead-letter queue holds the events that failed'),
  // Identities others hold on to.
  'AWS::SNS::Topic': stateful('its confirmed subscriptions: email and HTTPS subscribers must confirm the new topic, and alarms reach no one until they do'),
  'AWS::SNS::Subscription': stateful('the subscriber\'s confirmation: a new email or HTTPS subscription receives nothing until it is confirmed'),
  'AWS::ElasticLoadBalancingV2::LoadBalancer': stateful('its DNS name, which clients and DNS records point at'),
  'AWS::EC2::EIP': stateful('the public address that partners may allow-list (the NAT gateways\' egress address)'),
  'AWS::EC2::Instance': stateful('its public address (a NAT instance\'s is the app\'s egress address) and its disk'),
  'AWS::EC2::VPC': stateful('the network the database sits in: a new one means moving the database'),
  'AWS::EC2::Subnet': stateful('the database\'s and the load balancer\'s network interfaces: CloudFormation cannot delete a subnet in use'),
  'Custom::ShipshapeRetryableCreate': stateful('the stack\'s termination protection: deleting the old resource turns it off'),

  // Replaced freely: configuration, compute and routing, recreated from the template.
  'AWS::ApplicationAutoScaling::ScalableTarget': 'stateless',
  'AWS::ApplicationAutoScaling::ScalingPolicy': 'stateless',
  'AWS::Backup::BackupSelection': 'stateless',
  'AWS::CertificateManager::Certificate': 'stateless',
  'AWS::CloudWatch::Alarm': 'stateless',
  'AWS::CloudWatch::CompositeAlarm': 'stateless',
  'AWS::CloudWatch::Dashboard': 'stateless',
  'AWS::CodeBuild::Project': 'stateless',
  'AWS::CodePipeline::Pipeline': 'stateless',
  'AWS::EC2::FlowLog': 'stateless',
  'AWS::EC2::InternetGateway': 'stateless',
  'AWS::EC2::LaunchTemplate': 'stateless',
  'AWS::EC2::NatGateway': 'stateless',
  'AWS::EC2::Route': 'stateless',
  'AWS::EC2::RouteTable': 'stateless',
  'AWS::EC2::SecurityGroup': 'stateless',
  'AWS::EC2::SecurityGroupEgress': 'stateless',
  'AWS::EC2::SecurityGroupIngress': 'stateless',
  'AWS::EC2::SubnetRouteTableAssociation': 'stateless',
  'AWS::EC2::VPCEndpoint': 'stateless',
  'AWS::EC2::VPCGatewayAttachment': 'stateless',
  'AWS::ECS::Cluster': 'stateless',
  'AWS::ECS::ClusterCapacityProviderAssociations': 'stateless',
  'AWS::ECS::Service': 'stateless',
  'AWS::ECS::TaskDefinition': 'stateless',
  'AWS::ElasticLoadBalancingV2::Listener': 'stateless',
  'AWS::ElasticLoadBalancingV2::ListenerRule': 'stateless',
  'AWS::ElasticLoadBalancingV2::TargetGroup': 'stateless',
  'AWS::Events::Rule': 'stateless',
  'AWS::IAM::InstanceProfile': 'stateless',
  'AWS::IAM::Policy': 'stateless',
  'AWS::IAM::Role': 'stateless',
  'AWS::Lambda::EventInvokeConfig': 'stateless',
  'AWS::Lambda::Function': 'stateless',
  'AWS::Lambda::Permission': 'stateless',
  'AWS::Logs::MetricFilter': 'stateless',
  'AWS::RDS::DBClusterParameterGroup': 'stateless',
  'AWS::RDS::DBParameterGroup': 'stateless',
  'AWS::RDS::DBProxy': 'stateless',
  'AWS::RDS::DBProxyTargetGroup': 'stateless',
  'AWS::RDS::DBSubnetGroup': 'stateless',
  'AWS::Route53::RecordSet': 'stateless',
  'AWS::S3::BucketPolicy': 'stateless',
  'AWS::SNS::TopicPolicy': 'stateless',
  'AWS::Scheduler::Schedule': 'stateless',
  'AWS::SQS::QueuePolicy': 'stateless',
  'AWS::SecretsManager::ResourcePolicy': 'stateless',
  'AWS::SecretsManager::RotationSchedule': 'stateless',
  'AWS::SecretsManager::SecretTargetAttachment': 'stateless',
  'AWS::StepFunctions::StateMachine': 'stateless',
  // Its Delete keeps the PostgreSQL role; a new one sets the password from the secret again.
  'Custom::ShipshapeDatabaseUser': 'stateless',
  // Refuses a deploy over a running blue/green deployment; holds nothing.
  'Custom::ShipshapeDeploymentGuard': 'stateless',
  // Migrates the database on the stack's first create; a new one migrates again (migrations run once each), nothing is lost.
  'Custom::ShipshapeFirstMigration': 'stateless',
  'Custom::VpcRestrictDefaultSG': 'stateless',
};

/** The stateful classification of `type`; undefined when it is stateless; throws when it is not classified. */
export function statefulType(type: string): Stateful | undefined {
  const classification = RESOURCE_TYPES[type];
  if (classification === undefined) throw new Error(`${type} is not classified in test/contracts/stateful-resources.ts`);
  return classification === 'stateless' ? undefined : classification;
}

/** DeletionPolicy and UpdateReplacePolicy values that keep the resource, or a snapshot of it. */
export const KEEPING_POLICIES: readonly string[] = ['Retain', 'RetainExceptOnCreate', 'Snapshot'];
