import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { DatabaseEngine, ResilientDatabase } from '../../../constructs/database';
import { ProductionNetwork } from '../../../constructs/network';
import { RestoreDrill } from '../../../constructs/restore-drill';
import { ACCOUNT, type CfnTemplate, REGION } from '../../contracts/deployed-template';
import { rolePolicies, RuntimeTemplate } from '../../contracts/runtime-template';

/**
 * A drill from the backup vault restores AWS Backup recovery points: for RDS and Aurora, snapshots
 * named `snapshot:awsbackup:job-...` and `cluster-snapshot:awsbackup:job-...`. Its role once allowed
 * `arn:aws:rds:<region>:<account>:*:awsbackup:*`, a wildcard in the resource type part of the ARN,
 * which IAM never matches (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
 */
async function startRestoreJob(engine: DatabaseEngine, recoveryPoint: string): Promise<string> {
  const stack = new Stack(undefined, 'Vault');
  const network = new ProductionNetwork(stack, 'Net');
  const database = new ResilientDatabase(stack, 'Db', { vpc: network.vpc, vpcSubnets: network.dataSubnets, functionSubnets: network.appSubnets, engine });
  const drill = new RestoreDrill(stack, 'Drill', { database, source: { mode: 'backup-vault' } });
  const deployed = new RuntimeTemplate(Template.fromStack(stack).toJSON() as CfnTemplate, stack.stackName);
  const roleId = stack.getLogicalId(drill.stepsFunction.role?.node.defaultChild as CfnElement);
  const result = await runSimulation(
    {
      request: { principal: `arn:aws:sts::${ACCOUNT}:assumed-role/steps/fn`, action: 'backup:StartRestoreJob', resource: { resource: recoveryPoint, accountId: ACCOUNT }, contextVariables: {} },
      identityPolicies: rolePolicies(deployed, roleId),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

test('the drill steps may restore an Aurora recovery point of the vault (a cluster snapshot)', async () => {
  expect(await startRestoreJob(DatabaseEngine.AURORA_SERVERLESS_V2, `arn:aws:rds:${REGION}:${ACCOUNT}:cluster-snapshot:awsbackup:job-0a1b2c3d`)).toBe('Allowed');
});

test('the drill steps may restore an RDS recovery point of the vault (a DB snapshot), and nothing that is not AWS Backup\'s', async () => {
  expect(await startRestoreJob(DatabaseEngine.RDS_MULTI_AZ, `arn:aws:rds:${REGION}:${ACCOUNT}:snapshot:awsbackup:job-0a1b2c3d`)).toBe('Allowed');
  expect(await startRestoreJob(DatabaseEngine.RDS_MULTI_AZ, `arn:aws:rds:${REGION}:${ACCOUNT}:snapshot:rds:orders-2026-11-22`)).toBe('ImplicitlyDenied');
});
