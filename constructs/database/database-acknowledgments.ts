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
  const backupRole = database.backupPlan.restoreRole;
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
  const cfnInstance = database.instance?.node.defaultChild as rds.CfnDBInstance | undefined;
  if (cfnInstance && cfnInstance.multiAz === false) {
    for (const id of ['AwsSolutions-RDS3', 'NIST.800.53.R5-RDSMultiAZSupport']) {
      acknowledge(
        database.instance,
        id,
        'Chosen with multiAz: false (the budget profile): a lost AZ is recovered by point-in-time restore into another AZ from the encrypted, vaulted backups the restore drill proves weekly.',
      );
    }
  }
  if (database.proxy) {
    acknowledge(
      database.proxy.node.tryFindChild('IAMRole'),
      'NIST.800.53.R5-IAMNoInlinePolicy',
      'CDK writes the proxy role grants (read these database secrets, decrypt with their key) as the role default policy.',
    );
    const proxyGroupId = database.proxy.connections.securityGroups[0].node.id;
    for (const rule of database.securityGroup.node.children.filter((c) => c.node.id.startsWith('from ') && c.node.id.includes(proxyGroupId))) {
      for (const id of ['NIST.800.53.R5-EC2RestrictedCommonPorts', 'NIST.800.53.R5-EC2RestrictedSSH']) {
        acknowledge(
          rule,
          id,
          "CDK's proxy-to-database rule takes the port from the database endpoint (5432, a token at synth, so the check cannot read it); its only source is the proxy's security group.",
        );
      }
    }
  }
  for (const instance of database.cluster?.node.findAll().filter((c) => c instanceof rds.CfnDBInstance) ?? []) {
    acknowledge(
      instance,
      'NIST.800.53.R5-RDSInBackupPlan',
      'Aurora backs up the cluster volume, not instances: the backup plan selects the cluster, which holds all of its data.',
    );
  }
}
