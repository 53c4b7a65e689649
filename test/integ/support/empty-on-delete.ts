import { type CfnElement, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import type * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';
import { acknowledge } from '../../../constructs/private/acknowledge';

export interface EmptyOnDeleteProps {
  /** Buckets to empty (every object version and delete marker). */
  readonly buckets?: s3.IBucket[];
  /** Backup vaults to empty (every recovery point). */
  readonly vaults?: backup.IBackupVault[];
  /**
   * What still writes into them (a load balancer's access logs): deleted before the emptying, so
   * nothing lands after it.
   * @default - none
   */
  readonly writers?: IConstruct[];
}

// Inline (no asset): answers CloudFormation itself, since Node 24 has no callback-style handlers
// for the cfn-response module.
const HANDLER = `
const s3 = require('@aws-sdk/client-s3');
const bk = require('@aws-sdk/client-backup');
async function emptyBucket(client, Bucket) {
  for (;;) {
    const page = await client.send(new s3.ListObjectVersionsCommand({ Bucket }));
    const objects = [...(page.Versions || []), ...(page.DeleteMarkers || [])].map((o) => ({ Key: o.Key, VersionId: o.VersionId }));
    if (objects.length === 0) return;
    await client.send(new s3.DeleteObjectsCommand({ Bucket, Delete: { Objects: objects, Quiet: true } }));
  }
}
async function emptyVault(client, BackupVaultName) {
  let NextToken;
  do {
    const page = await client.send(new bk.ListRecoveryPointsByBackupVaultCommand({ BackupVaultName, NextToken }));
    for (const p of page.RecoveryPoints || []) {
      await client.send(new bk.DeleteRecoveryPointCommand({ BackupVaultName, RecoveryPointArn: p.RecoveryPointArn }));
    }
    NextToken = page.NextToken;
  } while (NextToken);
}
exports.handler = async (event) => {
  let Status = 'SUCCESS';
  let Reason = 'emptied';
  try {
    if (event.RequestType === 'Delete') {
      const props = event.ResourceProperties;
      const s3c = new s3.S3Client({});
      for (const b of props.Buckets || []) await emptyBucket(s3c, b);
      const bkc = new bk.BackupClient({});
      for (const v of props.Vaults || []) await emptyVault(bkc, v);
    }
  } catch (e) {
    Status = 'FAILED';
    Reason = String(e && e.message ? e.message : e).slice(0, 500);
  }
  const body = JSON.stringify({
    Status, Reason, PhysicalResourceId: event.PhysicalResourceId || event.LogicalResourceId,
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId,
  });
  await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
};
`;

/**
 * Test scaffolding: empties buckets and backup vaults when the test stack is deleted, so the
 * delete succeeds (CloudFormation cannot delete a bucket with objects or a vault with recovery
 * points). It depends on them, so CloudFormation deletes it, and runs the emptying, first.
 */
export class EmptyOnDelete extends Construct {
  constructor(scope: Construct, id: string, props: EmptyOnDeleteProps) {
    super(scope, id);
    const buckets = props.buckets ?? [];
    const vaults = props.vaults ?? [];
    const fn = new lambda.Function(this, 'Handler', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(HANDLER),
      timeout: Duration.minutes(10),
      description: 'Integ test cleanup: empties buckets and backup vaults when the test stack is deleted',
      logGroup: new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_WEEK }),
    });
    for (const bucket of buckets) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucketVersions'], resources: [bucket.bucketArn] }));
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'], resources: [bucket.arnForObjects('*')] }));
    }
    for (const vault of vaults) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['backup:ListRecoveryPointsByBackupVault'], resources: [vault.backupVaultArn] }));
    }
    if (vaults.length > 0) {
      // Recovery point ARNs are not known before the run (RDS snapshots or backup recovery points).
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['backup:DeleteRecoveryPoint', 'rds:DeleteDBSnapshot', 'rds:DeleteDBClusterSnapshot'], resources: ['*'] }),
      );
    }
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::EmptyOnDelete',
      properties: { Buckets: buckets.map((b) => b.bucketName), Vaults: vaults.map((v) => v.backupVaultName) },
    });
    for (const writer of props.writers ?? []) writer.node.addDependency(resource);
    this.acknowledgeFindings(fn, buckets, vaults.length > 0);
  }

  /** Test scaffolding, alive for one test run in a test account; each finding acknowledged with its reason. */
  private acknowledgeFindings(fn: lambda.Function, buckets: s3.IBucket[], withVaults: boolean): void {
    acknowledge(
      fn.role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AWS maintains this policy: it allows writing the function log and nothing else.',
    );
    const policy = fn.role?.node.tryFindChild('DefaultPolicy');
    const scaffolding = 'Integ test scaffolding: it runs once, when the test stack is deleted, and the stack goes with it.';
    acknowledge(fn, 'NIST.800.53.R5-LambdaConcurrency', scaffolding);
    acknowledge(fn, 'NIST.800.53.R5-LambdaDLQ', `${scaffolding} CloudFormation invokes it and reads its answer; a dead-letter queue would add nothing.`);
    acknowledge(fn, 'NIST.800.53.R5-LambdaInsideVPC', 'It calls only the S3 and AWS Backup APIs and the CloudFormation response URL; it reaches nothing inside a VPC.');
    acknowledge(this.node.findChild('Logs'), 'NIST.800.53.R5-CloudWatchLogGroupEncrypted', `${scaffolding} Its log holds bucket and vault names only.`);
    acknowledge(policy, 'NIST.800.53.R5-IAMNoInlinePolicy', 'CDK writes the grants of this function (empty the named buckets and vaults) as the role default policy.');
    const stack = Stack.of(this);
    for (const bucket of buckets) {
      const bucketId = stack.getLogicalId(bucket.node.defaultChild as CfnElement);
      acknowledge(policy, `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`, 'Emptying a bucket deletes every object in it; the grant covers this one bucket.');
    }
    if (withVaults) {
      acknowledge(policy, 'AwsSolutions-IAM5[Resource::*]', 'Recovery point ARNs exist only after the backups run; the function lists them from the named vault.');
    }
  }
}
