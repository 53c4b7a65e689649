import { Aws, type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/**
 * A customer-managed key with yearly rotation, kept when the stack is deleted (data may depend on
 * it). RETAIN_ON_UPDATE_OR_DELETE (DeletionPolicy RetainExceptOnCreate) still deletes what the
 * helpers here create when the create that made it rolls back: a failed first deploy leaves no
 * orphan behind, and nothing with a fixed name to make its retry fail with "already exists".
 */
export function rotatingKey(scope: Construct, id: string, description: string): kms.Key {
  return new kms.Key(scope, id, {
    description,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
  });
}

/** Lets CloudWatch Logs in this account and region use `key` for log groups, and nothing else. */
export function allowLogsToUseKey(key: kms.IKey): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsOfThisAccount',
      principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: [
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
        'kms:GenerateDataKey',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:DescribeKey',
      ],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
        },
      },
    }),
  );
}

export interface EncryptedLogGroupOptions {
  readonly key: kms.IKey;
  readonly retention: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE (kept, except when its create rolls back) */
  readonly removalPolicy?: RemovalPolicy;
  /** @default - a name CloudFormation generates */
  readonly logGroupName?: string;
}

/** A log group encrypted with `key` (which must allow CloudWatch Logs, see `allowLogsToUseKey`). */
export function encryptedLogGroup(scope: Construct, id: string, options: EncryptedLogGroupOptions): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    logGroupName: options.logGroupName,
    encryptionKey: options.key,
    retention: options.retention,
    removalPolicy: options.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
  });
}

/**
 * A private, TLS-only, versioned bucket under `key`, kept when the stack is deleted (deleted when
 * the create that made it rolls back, while it is still empty); objects expire after `expiration`.
 */
export function encryptedBucket(scope: Construct, id: string, key: kms.IKey, expiration: Duration, noncurrentExpiration: Duration): s3.Bucket {
  return new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    enforceSSL: true,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    lifecycleRules: [{ expiration, noncurrentVersionExpiration: noncurrentExpiration }],
  });
}
