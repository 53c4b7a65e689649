import * as rds from 'aws-cdk-lib/aws-rds';
import { acknowledge } from '../private/acknowledge';
import type { ResilientDatabase } from './resilient-database';

/** The policy findings a `ResilientDatabase` raises by design, each acknowledged where it arises. */
export function acknowledgeDatabaseFindings(database: ResilientDatabase): void {
  acknowledge(
    database.node.tryFindChild('MonitoringRole'),
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
    'The role RDS enhanced monitoring assumes; AWS maintains its policy (publish OS metrics to CloudWatch Logs) as the RDS documentation prescribes.',
  );
  const backupRole = database.backupPlan.node.tryFindChild('Plan')?.node.tryFindChild('Database')?.node.tryFindChild('Role');
  for (const policy of ['AWSBackupServiceRolePolicyForBackup', 'AWSBackupServiceRolePolicyForRestores']) {
    acknowledge(
      backupRole,
      `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`,
      'The AWS Backup service role policy, maintained by AWS as new resource types and features arrive; AWS Backup documents it as the role to use.',
    );
  }
  acknowledge(
    database.instance,
    'AwsSolutions-RDS11',
    'A non-default port hides nothing from a scanner inside the VPC; the security group admits only granted clients, and PostgreSQL tools expect 5432.',
  );
  for (const instance of database.cluster?.node.findAll().filter((c) => c instanceof rds.CfnDBInstance) ?? []) {
    acknowledge(
      instance,
      'NIST.800.53.R5-RDSInBackupPlan',
      'Aurora backs up the cluster volume, not instances: the backup plan selects the cluster, which holds all of its data.',
    );
  }
}
