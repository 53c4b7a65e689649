import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DatabaseEngine, ResilientDatabase, type ResilientDatabaseProps } from '../../../constructs/database';
import { ProductionNetwork } from '../../../constructs/network';
import { addPolicyPacks, synthWithPolicyGate } from '../../../lib/policy';
import { cdkJsonContext } from '../../helpers/reference-app';

function database(props: Partial<ResilientDatabaseProps>, stack = new Stack()): Template {
  const network = new ProductionNetwork(stack, 'Network');
  new ResilientDatabase(stack, 'Database', { vpc: network.vpc, vpcSubnets: network.dataSubnets, functionSubnets: network.appSubnets, ...props });
  return Template.fromStack(stack);
}

describe('ResilientDatabase multiAz (RDS)', () => {
  test('GIVEN no multiAz THEN the RDS instance keeps a standby in another AZ', () => {
    database({ engine: DatabaseEngine.RDS_MULTI_AZ }).hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: true });
  });

  test('GIVEN multiAz false THEN one instance, still encrypted and in the backup plan', () => {
    const template = database({ engine: DatabaseEngine.RDS_MULTI_AZ, multiAz: false });
    template.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: false, StorageEncrypted: true });
    template.resourceCountIs('AWS::Backup::BackupSelection', 1);
  });

  test('GIVEN multiAz on Aurora THEN it is refused with the prop and the fix', () => {
    expect(() => database({ multiAz: false })).toThrow(/multiAz: applies to the RDS engine only; Aurora's standbys are its readers \(set readers instead\)/);
  });

  test('the policy packs find nothing unacknowledged on a single-AZ instance', () => {
    const app = new App({ context: cdkJsonContext() });
    database({ engine: DatabaseEngine.RDS_MULTI_AZ, multiAz: false }, new Stack(app, 'Data'));
    addPolicyPacks(app);
    expect(() => synthWithPolicyGate(app)).not.toThrow();
  });
});
