import { type CfnElement, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { acknowledge } from '../private/acknowledge';
import type { RestoreDrill } from './restore-drill';

const RDS = 'arn:<AWS::Partition>:rds:<AWS::Region>:<AWS::AccountId>';
const LISTING = ['cluster:*', 'db:*', 'cluster-snapshot:*', 'snapshot:*'].map((r) => `${RDS}:${r}`);
const COPIES = ['cluster:shipshape-drill-*', 'db:shipshape-drill-*'].map((r) => `${RDS}:${r}`);
const COPY_SECRETS = 'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:rds!*';

function arnOf(construct: IConstruct): string {
  return `<${Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement)}.Arn>`;
}

function wildcards(role: iam.IRole | undefined, findings: string[], reason: string): void {
  for (const finding of findings) acknowledge(role, `AwsSolutions-IAM5[${finding}]`, reason);
}

/** The policy findings a `RestoreDrill` raises by design, each acknowledged where it arises. */
export function acknowledgeDrillFindings(drill: RestoreDrill, schedulerRoles: iam.IRole[]): void {
  for (const fn of [drill.stepsFunction, drill.sweeperFunction]) {
    acknowledge(
      fn,
      'NIST.800.53.R5-LambdaInsideVPC',
      'It calls only AWS APIs (RDS, AWS Backup, S3, SNS, Step Functions) and never a database; outside the VPC it needs no interface endpoint per API.',
    );
    wildcards(
      fn.role,
      LISTING.map((r) => `Resource::${r}`),
      'Listing and describing RDS clusters, instances and snapshots has no narrower resource: snapshot and copy names are chosen at run time.',
    );
    wildcards(
      fn.role,
      COPIES.map((r) => `Resource::${r}`),
      'Drill copies are named shipshape-drill-<execution> at run time; delete and modify also require the drill tag (condition), so the source is out of reach.',
    );
  }
  const steps = drill.stepsFunction.role;
  wildcards(
    steps,
    ['cluster-pg:*', 'pg:*', 'og:*'].map((r) => `Resource::${RDS}:${r}`),
    'A restore reads the parameter and option groups the snapshot names; the request must carry the drill tag (condition).',
  );
  wildcards(steps, [`Resource::${COPY_SECRETS}`], 'RDS names the managed secret of a copy (rds!...) at run time when the drill enables ManageMasterUserPassword on it.');
  wildcards(
    steps,
    ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*', 'Action::s3:Abort*', `Resource::${arnOf(drill.reportBucket)}/drills/*`],
    "CDK's grants to write reports under drills/ in the encrypted report bucket and to publish to the encrypted topic.",
  );
  wildcards(steps, ['Resource::*'], 'backup:DescribeRestoreJob has no resource-level permissions.');
  wildcards(
    drill.validatorFunction.role,
    [`Resource::${COPY_SECRETS}`],
    'RDS names a copy secret at run time; the condition limits reads to secrets of drill copies (primary DB ARN tag shipshape-drill-*).',
  );
  const machineRole = drill.stateMachine.role;
  wildcards(
    machineRole,
    [`Resource::${arnOf(drill.stepsFunction)}:*`, `Resource::${arnOf(drill.validatorFunction)}:*`],
    'Step Functions may invoke any version of the two drill functions (the CDK LambdaInvoke grant).',
  );
  wildcards(machineRole, ['Resource::*'], 'X-Ray trace submission and CloudWatch Logs delivery do not support resource-level permissions.');
  acknowledge(machineRole, 'NIST.800.53.R5-IAMNoInlinePolicy', 'CDK writes the state machine grants (invoke the drill functions, logs, X-Ray) as the role default policy.');
  for (const role of schedulerRoles) {
    acknowledge(role, 'NIST.800.53.R5-IAMNoInlinePolicy', 'CDK writes the one grant of this scheduler role (start the drill, or invoke the sweeper) as its default policy.');
    const invoked = [drill.sweeperFunction, drill.heartbeatFunction].filter((fn) => fn !== undefined);
    wildcards(role, invoked.map((fn) => `Resource::${arnOf(fn)}:*`), 'EventBridge Scheduler may invoke any version of the function it runs (the CDK grantInvoke).');
  }
  acknowledge(
    drill.reportBucket,
    'AwsSolutions-S1',
    'Drill reports are written only by the drill function and read by operators; CloudTrail data events, not server access logs, are the audit trail for such a bucket.',
  );
  acknowledge(drill.reportBucket, 'NIST.800.53.R5-S3BucketLoggingEnabled', 'See AwsSolutions-S1 on this bucket.');
  acknowledge(drill.reportBucket, 'NIST.800.53.R5-S3BucketReplicationEnabled', 'Reports are evidence of past drills and the next drill writes a new one; replication would double the cost for no recovery need.');
}
