import { BackupClient } from '@aws-sdk/client-backup';
import { DeleteDBClusterCommand, DeleteDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { sweep } from '../../../../constructs/restore-drill/runtime/cleanup';
import { daysSinceLastSuccess, NEVER } from '../../../../constructs/restore-drill/runtime/freshness';
import { FakeAws } from './fake-aws';

const NOW = new Date('2026-11-23T12:00:00Z');
const TAG = (id: string) => [{ Key: 'shipshape:drill', Value: id }];

describe('sweep', () => {
  let aws: FakeAws;
  beforeEach(() => {
    aws = new FakeAws(() => NOW);
  });
  afterEach(() => {
    aws.rds.restore();
    aws.backup.restore();
  });

  test('deletes drill copies older than the bound, and nothing else', async () => {
    // GIVEN an old Aurora copy with its instance, an old RDS copy, a drill running now, the source, and an untagged look-alike
    aws.seedCluster('shipshape-drill-old', TAG('shipshape-drill-old'), new Date('2026-11-22T20:00:00Z'));
    aws.seedInstance('shipshape-drill-old-db', TAG('shipshape-drill-old'), new Date('2026-11-22T20:00:00Z'), 'shipshape-drill-old');
    aws.seedInstance('shipshape-drill-rds', TAG('shipshape-drill-rds'), new Date('2026-11-22T20:00:00Z'));
    aws.seedCluster('shipshape-drill-running', TAG('shipshape-drill-running'), new Date('2026-11-23T11:30:00Z'));
    aws.seedCluster('shop-db', [], new Date('2026-01-01T00:00:00Z'));
    aws.seedInstance('shipshape-drill-untagged', [], new Date('2026-11-01T00:00:00Z'));

    const clients = { rds: new RDSClient({ region: 'eu-west-1' }), backup: new BackupClient({ region: 'eu-west-1' }), now: () => NOW };
    const first = await sweep(clients, 12);
    expect(first.deleted).toEqual(['shipshape-drill-old', 'shipshape-drill-rds']);
    // The Aurora cluster goes once its instance is gone (next hourly run).
    await sweep(clients, 12);

    expect([...aws.clusters.keys()].sort()).toEqual(['shipshape-drill-running', 'shop-db']);
    expect([...aws.instances.keys()]).toEqual(['shipshape-drill-untagged']);
    expect(aws.rds).not.toHaveReceivedCommandWith(DeleteDBClusterCommand, { DBClusterIdentifier: 'shop-db' });
    expect(aws.rds).not.toHaveReceivedCommandWith(DeleteDBInstanceCommand, { DBInstanceIdentifier: 'shipshape-drill-untagged' });
  });
});

describe('daysSinceLastSuccess', () => {
  const sfn = mockClient(SFNClient);
  beforeEach(() => sfn.reset());

  test('days since the newest succeeded execution', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: 'a', stateMachineArn: 'sm', name: 'n', status: 'SUCCEEDED', startDate: new Date('2026-11-15T06:00:00Z'), stopDate: new Date('2026-11-15T06:30:00Z') }] });
    await expect(daysSinceLastSuccess(new SFNClient({ region: 'eu-west-1' }), 'sm', NOW)).resolves.toBe(8.23);
    expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, { stateMachineArn: 'sm', statusFilter: 'SUCCEEDED', maxResults: 1 });
  });

  test('no success on record reads as never (the alarm fires until the first drill passes)', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    await expect(daysSinceLastSuccess(new SFNClient({ region: 'eu-west-1' }), 'sm', NOW)).resolves.toBe(NEVER);
  });
});
