import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DRILL_NAME_PREFIX, DRILL_TAG } from './runtime/drill-state';

const rdsArn = (type: string, name: string) => `arn:${Aws.PARTITION}:rds:${Aws.REGION}:${Aws.ACCOUNT_ID}:${type}:${name}`;

/** ARNs of the drill's own copies: clusters and instances named `shipshape-drill-*`. */
export const DRILL_COPY_ARNS = [rdsArn('cluster', `${DRILL_NAME_PREFIX}*`), rdsArn('db', `${DRILL_NAME_PREFIX}*`)];

/** Only resources that carry the drill tag (on top of the drill name in the ARN). */
export const DRILL_TAGGED = { StringLike: { [`aws:ResourceTag/${DRILL_TAG}`]: `${DRILL_NAME_PREFIX}*` } };

/** Lists and describes clusters, instances and snapshots (RDS has no narrower resource for listing). */
export function describeStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DescribeDatabases',
    actions: ['rds:DescribeDBClusters', 'rds:DescribeDBInstances', 'rds:DescribeDBClusterSnapshots', 'rds:DescribeDBSnapshots'],
    resources: [rdsArn('cluster', '*'), rdsArn('db', '*'), rdsArn('cluster-snapshot', '*'), rdsArn('snapshot', '*')],
  });
}

/** Deletes and modifies only drill copies: named `shipshape-drill-*` AND tagged as drills. */
export function deleteCopiesStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DeleteAndModifyDrillCopiesOnly',
    actions: ['rds:DeleteDBCluster', 'rds:DeleteDBInstance', 'rds:ModifyDBCluster', 'rds:ModifyDBInstance'],
    resources: DRILL_COPY_ARNS,
    conditions: DRILL_TAGGED,
  });
}

export interface RestoreStatementsProps {
  /** The source cluster or instance (point-in-time restores read it). */
  readonly sourceArn: string;
  readonly subnetGroupName: string;
}

/**
 * Restores and creates only drill-named copies, tagged as drills at creation, from this
 * database's snapshots or point in time; and tags them (AWS Backup restores untagged copies).
 */
export function restoreStatements(props: RestoreStatementsProps): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'RestoreDrillCopiesOnly',
      actions: [
        'rds:RestoreDBClusterFromSnapshot',
        'rds:RestoreDBClusterToPointInTime',
        'rds:RestoreDBInstanceFromDBSnapshot',
        'rds:RestoreDBInstanceToPointInTime',
        'rds:CreateDBInstance',
      ],
      resources: [
        ...DRILL_COPY_ARNS,
        props.sourceArn,
        rdsArn('cluster-snapshot', '*'),
        rdsArn('snapshot', '*'),
        rdsArn('subgrp', props.subnetGroupName),
        rdsArn('cluster-pg', '*'),
        rdsArn('pg', '*'),
        rdsArn('og', '*'),
      ],
      conditions: { StringLike: { [`aws:RequestTag/${DRILL_TAG}`]: `${DRILL_NAME_PREFIX}*` } },
    }),
    new iam.PolicyStatement({
      sid: 'TagDrillCopiesOnly',
      actions: ['rds:AddTagsToResource'],
      resources: DRILL_COPY_ARNS,
    }),
    new iam.PolicyStatement({
      // ManageMasterUserPassword on the copy: RDS creates its secret (named rds!...) as the caller.
      sid: 'ManagedPasswordOfDrillCopies',
      actions: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'],
      resources: [`arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:rds!*`],
    }),
  ];
}

/**
 * Restores AWS Backup recovery points of the database. An RDS or Aurora recovery point is a snapshot
 * the Service Authorization Reference names `arn:aws:rds:<region>:*:<ResourceType>:<RecoveryPointId>`
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsbackup.html#awsbackup-resources-for-iam-policies):
 * `snapshot:awsbackup:job-...` or `cluster-snapshot:awsbackup:job-...`. IAM allows no wildcard in
 * the resource type part of an ARN (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html,
 * "Incorrect wildcard usage"), so each type is named.
 */
export function restoreFromVaultStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'RestoreFromVault',
    actions: ['backup:StartRestoreJob'],
    resources: [rdsArn('cluster-snapshot', 'awsbackup:*'), rdsArn('snapshot', 'awsbackup:*')],
  });
}

/**
 * The database key, for the steps: a restore of an encrypted snapshot lets RDS use it through a
 * grant (kms:CreateGrant, kms:DescribeKey), and turning on ManageMasterUserPassword with the key
 * as MasterUserSecretKmsKeyId takes kms:DescribeKey from the caller, plus kms:Decrypt,
 * kms:GenerateDataKey and kms:CreateGrant from whoever names a customer managed key, see
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-secrets-manager.html#rds-secrets-manager-permissions
 * (the same list for RDS instances: .../AmazonRDS/latest/UserGuide/rds-secrets-manager.html).
 */
export function databaseKeyStatement(keyArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DatabaseKeyForCopiesAndTheirSecrets',
    actions: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
    resources: [keyArn],
  });
}

/**
 * The database key, for the validator: GetSecretValue makes Secrets Manager call kms:Decrypt on
 * the secret's key as the caller; allowed only through Secrets Manager (kms:ViaService), see
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-authz
 */
export function decryptCopySecretsStatement(keyArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DecryptDrillCopySecretsViaSecretsManager',
    actions: ['kms:Decrypt'],
    resources: [keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
  });
}
