import type { CostLine } from './cost';
import type { CfnTemplate } from './template';

/**
 * Resource types that cost nothing by themselves, each with the reason. A type that is billed
 * only in some configurations (a cluster with Container Insights, an interface endpoint) is here
 * for the configurations where it is free, and on a cost line where it is not.
 */
export const FREE_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  'AWS::ApplicationAutoScaling::ScalableTarget': 'registering a scalable target is free; the alarms of its target-tracking policies are priced with the alarms',
  'AWS::Backup::BackupSelection': 'a selection only names what a plan backs up; the backups are priced as backup storage',
  'AWS::Backup::BackupVault': 'a vault costs nothing; what it holds is priced as backup storage',
  'AWS::CDK::Metadata': "CDK's version report, not an AWS resource",
  'AWS::CertificateManager::Certificate': 'public ACM certificates are free',
  'AWS::CloudFormation::CustomResource': 'a custom resource runs its provider Lambda on deploys only; the Lambda is priced',
  'AWS::EC2::InternetGateway': 'free; data transfer out is not priced (see docs/cost.md)',
  'AWS::EC2::LaunchTemplate': 'free; the instances it launches are priced',
  'AWS::EC2::Route': 'free',
  'AWS::EC2::RouteTable': 'free',
  'AWS::EC2::SecurityGroup': 'free',
  'AWS::EC2::SecurityGroupEgress': 'free',
  'AWS::EC2::SecurityGroupIngress': 'free',
  'AWS::EC2::Subnet': 'free',
  'AWS::EC2::SubnetRouteTableAssociation': 'free',
  'AWS::EC2::VPC': 'free; its NAT, addresses, endpoints and flow logs are priced',
  'AWS::EC2::VPCEndpoint': 'gateway endpoints (S3, DynamoDB) are free; interface endpoints are priced',
  'AWS::EC2::VPCGatewayAttachment': 'free',
  'AWS::ECS::ClusterCapacityProviderAssociations': 'free; the Fargate and Fargate Spot tasks are priced',
  'AWS::ECS::Cluster': 'a Fargate cluster is free; Container Insights on it is priced when turned on',
  'AWS::ElasticLoadBalancingV2::Listener': "billed through the load balancer's hours and LCUs",
  'AWS::ElasticLoadBalancingV2::ListenerCertificate': "billed through the load balancer's hours and LCUs",
  'AWS::ElasticLoadBalancingV2::ListenerRule': "billed through the load balancer's hours and LCUs (rule evaluations are an LCU dimension)",
  'AWS::ElasticLoadBalancingV2::TargetGroup': "billed through the load balancer's hours and LCUs",
  'AWS::Events::Rule': 'rules on the default bus matching AWS service events (CloudWatch, ECS, Secrets Manager, CodePipeline, ECR) are free; their targets are priced',
  'AWS::IAM::InstanceProfile': 'free',
  'AWS::IAM::ManagedPolicy': 'free',
  'AWS::IAM::Policy': 'free',
  'AWS::IAM::Role': 'free',
  'AWS::KMS::Alias': 'free',
  'AWS::Lambda::EventInvokeConfig': 'free',
  'AWS::Lambda::Permission': 'free',
  'AWS::RDS::DBClusterParameterGroup': 'free',
  'AWS::RDS::DBParameterGroup': 'free',
  'AWS::RDS::DBProxyTargetGroup': 'billed through the proxy',
  'AWS::RDS::DBSubnetGroup': 'free',
  'AWS::Route53::RecordSet': 'alias records to a load balancer are free to query; the hosted zone is not created by the kit',
  'AWS::S3::BucketPolicy': 'free',
  'AWS::SNS::Subscription': 'free; deliveries are priced with the notifications',
  'AWS::SNS::TopicPolicy': 'free',
  'AWS::SQS::QueuePolicy': 'free',
  'AWS::SecretsManager::ResourcePolicy': 'free',
  'AWS::SecretsManager::RotationSchedule': "free; the rotation Lambda's invocations are priced",
  'AWS::SecretsManager::SecretTargetAttachment': 'free',
  'Custom::AWS': 'an AwsCustomResource calls an API on deploys only; its Lambda is priced',
  'Custom::ShipshapeDatabaseUser': "creates the application's database user on deploys only; its Lambdas are priced",
  'Custom::ShipshapeDeploymentGuard': 'checks the deploy it is part of, on deploys only; its Lambda is priced',
  'Custom::ShipshapeFirstMigration':
    "runs the migration task once, on the stack's create (a few minutes of one Fargate task, once: no monthly cost; the task definition is priced with the release's migrations); its provider Lambdas are priced",
  'Custom::ShipshapeRetryableCreate': 'runs on deploys only; its Lambda is priced',
  'Custom::VpcRestrictDefaultSG': "closes the default security group on deploys only; its Lambda is priced",
};

/** The resource types of `template` that neither a cost line prices nor the free list names: the estimate is incomplete. */
export function unpricedResourceTypes(template: CfnTemplate, lines: readonly CostLine[]): string[] {
  const priced = new Set(lines.flatMap((line) => line.resourceTypes));
  const types = new Set(Object.values(template.Resources).map((r) => r.Type));
  return [...types].filter((type) => !priced.has(type) && FREE_RESOURCE_TYPES[type] === undefined).sort();
}
