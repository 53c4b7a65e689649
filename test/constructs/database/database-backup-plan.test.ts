import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import { DatabaseBackupPlan, type DatabaseBackupPlanProps } from '../../../constructs/database';

const CLUSTER = 'arn:aws:rds:eu-west-1:111111111111:cluster:db';

function build(props: Partial<DatabaseBackupPlanProps> = {}, stack = new Stack()) {
  const plan = new DatabaseBackupPlan(stack, 'Backup', {
    resources: [backup.BackupResource.fromArn(CLUSTER)],
    continuousRetention: Duration.days(14),
    ...props,
  });
  return { stack, plan, template: Template.fromStack(stack) };
}

describe('DatabaseBackupPlan defaults', () => {
  const { template } = build();

  test('a KMS-encrypted vault, kept when the stack goes', () => {
    template.hasResource('AWS::Backup::BackupVault', {
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: Match.objectLike({ EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupKey'), 'Arn'] }, LockConfiguration: Match.absent() }),
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('daily backups kept 35 days, and continuous backup (point-in-time restore) kept as long as the database keeps its own', () => {
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanName: Match.stringLikeRegexp('Backup'),
        BackupPlanRule: [
          Match.objectLike({ RuleName: 'Daily', ScheduleExpression: 'cron(0 5 * * ? *)', Lifecycle: { DeleteAfterDays: 35 }, CopyActions: Match.absent() }),
          Match.objectLike({ RuleName: 'Continuous', EnableContinuousBackup: true, ScheduleExpression: 'cron(0 17 * * ? *)', Lifecycle: { DeleteAfterDays: 14 } }),
        ],
      },
    });
  });

  test('the selection names the database and may restore it (restore drills)', () => {
    template.hasResourceProperties('AWS::Backup::BackupSelection', { BackupSelection: Match.objectLike({ Resources: [CLUSTER] }) });
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: Match.arrayWith([
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores']] },
      ]),
    });
  });
});

test('a vault lock in compliance mode after its grace period', () => {
  const { template } = build({ vaultLock: { minRetention: Duration.days(7), maxRetention: Duration.days(400), changeableFor: Duration.days(3) } });
  template.hasResourceProperties('AWS::Backup::BackupVault', {
    LockConfiguration: { MinRetentionDays: 7, MaxRetentionDays: 400, ChangeableForDays: 3 },
  });
});

test('a cross-region copy goes to the named vault of this account in the other region', () => {
  const { template } = build({ crossRegionCopy: { region: 'eu-central-1', vaultName: 'dr-vault', retention: Duration.days(90) } });
  template.hasResourceProperties('AWS::Backup::BackupPlan', {
    BackupPlan: {
      BackupPlanRule: Match.arrayWith([
        Match.objectLike({
          RuleName: 'Daily',
          CopyActions: [
            {
              DestinationBackupVaultArn: {
                'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':backup:eu-central-1:', { Ref: 'AWS::AccountId' }, ':backup-vault:dr-vault']],
              },
              Lifecycle: { DeleteAfterDays: 90 },
            },
          ],
        }),
      ]),
    },
  });
});

test('an environment-agnostic stack refuses a copy into its own region at deploy time, before creating anything', () => {
  const { stack } = build({ crossRegionCopy: { region: 'eu-central-1', vaultName: 'dr-vault' } });
  const rules = Template.fromStack(stack).toJSON().Rules as Record<string, { Assertions: unknown[] }>;
  const rule = Object.entries(rules).find(([name]) => name.includes('CopyRegionDiffers'))?.[1];
  expect(rule?.Assertions).toEqual([
    { Assert: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-central-1'] }] }, AssertDescription: expect.stringMatching(/must differ/) },
  ]);
});

describe('bad input is refused at synth', () => {
  test('a copy into the stack region', () => {
    const stack = new Stack(new App(), 'S', { env: { region: 'eu-central-1' } });
    expect(() => build({ crossRegionCopy: { region: 'eu-central-1', vaultName: 'v' } }, stack)).toThrow(
      /crossRegionCopy.region: eu-central-1 is this stack's own region; a copy must survive the loss of the region/,
    );
  });

  test('a region name that is not one', () => {
    expect(() => build({ crossRegionCopy: { region: 'europe', vaultName: 'v' } })).toThrow(/crossRegionCopy.region: "europe" is not a region name/);
  });

  test('continuous backup retention outside 1-35 days', () => {
    expect(() => build({ continuousRetention: Duration.days(36) })).toThrow(/continuousRetention: continuous backup keeps 1 to 35 days \(got 36\)/);
  });

  test('a vault lock longer than a rule keeps recovery points', () => {
    expect(() => build({ vaultLock: { minRetention: Duration.days(30) } })).toThrow(
      /vaultLock.minRetention: 30 days is longer than a rule keeps its recovery points \(14 days\)/,
    );
  });
});
