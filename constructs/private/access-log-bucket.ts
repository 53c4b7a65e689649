import { Aws, type Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { FactName, RegionInfo } from 'aws-cdk-lib/region-info';
import type { Construct } from 'constructs';

/**
 * A bucket for load balancer access logs: private, TLS-only, versioned, expiring after
 * `retention`. SSE-S3, because ELB access logs can only be delivered to SSE-S3 buckets.
 */
export function accessLogBucket(scope: Construct, id: string, retention: Duration): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    // Kept once the stack exists; a create that rolls back removes it (nothing left to block a retry).
    removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    lifecycleRules: [
      { expiration: retention, noncurrentVersionExpiration: retention, abortIncompleteMultipartUploadAfter: retention },
    ],
  });
  const acknowledgments: Array<[string, string]> = [
    ['AwsSolutions-S1', 'This bucket is itself an access log destination; logging access to it would log into a log bucket recursively.'],
    ['NIST.800.53.R5-S3BucketLoggingEnabled', 'This bucket is itself an access log destination; logging access to it would log into a log bucket recursively.'],
    ['NIST.800.53.R5-S3DefaultEncryptionKMS', 'ELB access logs can only be delivered to buckets encrypted with SSE-S3, not SSE-KMS.'],
    ['NIST.800.53.R5-S3BucketReplicationEnabled', 'Access logs are diagnostic and expire; a cross-region replica would double their cost for no recovery need.'],
  ];
  for (const [id, reason] of acknowledgments) Validations.of(bucket).acknowledge({ id, reason });
  return bucket;
}

/**
 * Sends `loadBalancer`'s access logs to `bucket`, in any region. With a known region this is
 * CDK's own `logAccessLogs`. An environment-agnostic stack grants both ways ELB delivers logs
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html#attach-bucket-policy):
 * the log delivery service principal, which regions opened since August 2022 use, and the
 * region's ELB account, which older regions use. No `Fn::FindInMap`: it fails the deploy for a
 * region its mapping does not list, even inside an `Fn::If` branch not taken. Commercial regions
 * only: in GovCloud or China, set the stack's region.
 */
export function sendAccessLogs(loadBalancer: elbv2.ApplicationLoadBalancer, bucket: s3.Bucket): void {
  const stack = Stack.of(loadBalancer);
  if (!Token.isUnresolved(stack.region)) {
    loadBalancer.logAccessLogs(bucket);
    return;
  }
  const logObjects = bucket.arnForObjects(`AWSLogs/${Aws.ACCOUNT_ID}/*`);
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'ElbLogDeliveryService',
      actions: ['s3:PutObject'],
      principals: [new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com')],
      resources: [logObjects],
    }),
  );
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'ElbLogDeliveryAccountOfOlderRegions',
      actions: ['s3:PutObject'],
      principals: elbAccountPrincipals(),
      resources: [logObjects],
    }),
  );
  loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
  loadBalancer.setAttribute('access_logs.s3.bucket', bucket.bucketName);
  // The policy must exist before the load balancer checks it can write.
  loadBalancer.node.addDependency(bucket);
}

/**
 * The ELB log-delivery account of every commercial region that has one. Granting them all needs
 * no condition on the region (conditions per region exhaust CloudFormation's template validation);
 * it adds nothing an outsider can use: each is an AWS-owned account that delivers only its own
 * region's logs, a bucket receives logs only from its own region, and the grant is limited to
 * this account's log prefix.
 */
function elbAccountPrincipals(): iam.IPrincipal[] {
  return Object.entries(RegionInfo.regionMap(FactName.ELBV2_ACCOUNT))
    .filter(([region]) => RegionInfo.get(region).partition === 'aws')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, account]) => new iam.AccountPrincipal(account));
}
