import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DatabaseEngine, ResilientDatabase } from '../../../constructs/database';
import { ProductionNetwork } from '../../../constructs/network';
import { RestoreDrill, type RestoreDrillProps } from '../../../constructs/restore-drill';

function build(props: Partial<RestoreDrillProps> = {}, engine = DatabaseEngine.AURORA_SERVERLESS_V2) {
  const stack = new Stack();
  const network = new ProductionNetwork(stack, 'Network');
  const database = new ResilientDatabase(stack, 'Database', { vpc: network.vpc, vpcSubnets: network.dataSubnets, functionSubnets: network.appSubnets, engine });
  const drill = new RestoreDrill(stack, 'Drill', { database, ...props });
  return { stack, database, drill, template: Template.fromStack(stack) };
}

interface State {
  Type: string;
  Catch?: Array<{ ErrorEquals: string[]; Next: string; ResultPath?: string }>;
  Retry?: Array<{ ErrorEquals: string[]; MaxAttempts?: number }>;
  TimeoutSeconds?: number;
  Next?: string;
}

function definitionOf(stack: Stack, template: Template): { States: Record<string, State>; TimeoutSeconds: number } {
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as Array<{ Properties: { DefinitionString: unknown } }>;
  const joined = stack.resolve(machine.Properties.DefinitionString) as { 'Fn::Join': [string, unknown[]] };
  return JSON.parse(joined['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('')) as {
    States: Record<string, State>;
    TimeoutSeconds: number;
  };
}

function statementsOf(template: Template, rolePrefix: string): Array<Record<string, unknown>> {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${rolePrefix}`) }] } });
  return Object.values(policies).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } } }).Properties.PolicyDocument.Statement);
}

describe('the drill state machine', () => {
  const { stack, template } = build();
  const definition = definitionOf(stack, template);
  const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');

  test('every task before the report catches every error into $.error and goes to the report', () => {
    const beforeReport = tasks.filter(([name]) => !['Report', 'Cleanup'].includes(name));
    expect(beforeReport.map(([name]) => name).sort()).toEqual(['CheckAccess', 'CheckRestore', 'PickSource', 'PrepareAccess', 'StartRestore', 'Validate']);
    for (const [name, state] of beforeReport) {
      expect({ name, catch: state.Catch }).toEqual({ name, catch: [{ ErrorEquals: ['States.ALL'], Next: 'Report', ResultPath: '$.error' }] });
    }
  });

  test('the report always leads to the cleanup, even when it fails', () => {
    expect(definition.States.Report.Next).toBe('Cleanup');
    expect(definition.States.Report.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Cleanup', ResultPath: '$.reportError' }]);
  });

  test('the cleanup is retried, polled until done, and a cleanup that keeps failing ends in its own failure (the sweeper takes over)', () => {
    expect(definition.States.Cleanup.Retry).toEqual(expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['States.ALL'], MaxAttempts: 3 })]));
    expect(definition.States.Cleanup.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'CleanupFailed', ResultPath: '$.cleanupError' }]);
    expect(definition.States.Cleanup.Next).toBe('Cleaned');
    expect(definition.States.WaitForCleanup).toMatchObject({ Type: 'Wait', Seconds: 60, Next: 'Cleanup' });
  });

  test('waits are Step Functions waits; every task has a timeout; the whole drill has one (restore bound + cleanup bound + 1 h)', () => {
    expect(definition.States.WaitForRestore).toMatchObject({ Type: 'Wait', Seconds: 60, Next: 'CheckRestore' });
    expect(definition.States.WaitForAccess).toMatchObject({ Type: 'Wait', Seconds: 60, Next: 'CheckAccess' });
    for (const [name, state] of tasks) expect({ name, timeout: state.TimeoutSeconds }).toEqual({ name, timeout: expect.any(Number) });
    expect(definition.TimeoutSeconds).toBe(5 * 3600);
  });

  test('a failed drill ends the execution as failed (the alarm and the success history depend on it)', () => {
    expect(definition.States.DrillFailed.Type).toBe('Fail');
    expect(definition.States.DrillSucceeded.Type).toBe('Succeed');
  });

  test('runs weekly on Sunday 06:00 UTC by EventBridge Scheduler', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 6 ? * SUN *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      Target: Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^DrillStateMachine') } }),
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 hour)', Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DrillSweeper'), 'Arn'] } }) });
  });
});

describe('least privilege', () => {
  const { template } = build({ source: { mode: 'backup-vault' } });

  test('delete and modify only resources named and tagged as drill copies', () => {
    for (const role of ['DrillStepsServiceRole', 'DrillSweeperServiceRole']) {
      const deletes = statementsOf(template, role).filter((s) => JSON.stringify(s.Action).match(/rds:(Delete|Modify)/));
      expect(deletes).toHaveLength(1);
      expect(deletes[0]).toMatchObject({
        Action: ['rds:DeleteDBCluster', 'rds:DeleteDBInstance', 'rds:ModifyDBCluster', 'rds:ModifyDBInstance'],
        Condition: { StringLike: { 'aws:ResourceTag/shipshape:drill': 'shipshape-drill-*' } },
      });
      expect(JSON.stringify(deletes[0].Resource)).toMatch(/:cluster:shipshape-drill-\*.*:db:shipshape-drill-\*/);
    }
  });

  test('create only copies that carry the drill tag from the start', () => {
    const [restore] = statementsOf(template, 'DrillStepsServiceRole').filter((s) => JSON.stringify(s.Action).includes('rds:RestoreDBClusterFromSnapshot'));
    expect(restore.Condition).toEqual({ StringLike: { 'aws:RequestTag/shipshape:drill': 'shipshape-drill-*' } });
  });

  test('the validator reads only the managed secrets of drill copies', () => {
    const [read] = statementsOf(template, 'DrillValidatorServiceRole').filter((s) => s.Action === 'secretsmanager:GetSecretValue');
    expect(read.Condition).toEqual({ StringLike: { 'secretsmanager:ResourceTag/aws:rds:primaryDBClusterArn': '*:shipshape-drill-*' } });
  });

  test('a vault drill may pass the backup role to AWS Backup and nothing else', () => {
    const pass = statementsOf(template, 'DrillStepsServiceRole').filter((s) => s.Action === 'iam:PassRole');
    expect(pass).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DatabaseBackupRole/), 'Arn'] } })]);
  });

  test('the copy accepts connections only from the validator, on 5432', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DrillCopySecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DrillValidatorSecurityGroup'), 'GroupId'] },
      FromPort: 5432,
      ToPort: 5432,
    });
  });

  test('reports are KMS-encrypted, TLS-only and kept; the topic is encrypted', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: Match.objectLike({
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
      }),
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  test('the drill topic admits this account\'s CloudWatch alarms, and keeps TLS-only publishing', () => {
    const sourceConditions = { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': Match.anyValue() } };
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Condition: sourceConditions }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Condition: sourceConditions })]) },
    });
  });
});

describe('alarms for the alarms capability', () => {
  const { template, drill } = build({ maxDaysWithoutSuccess: 10 });

  test('drill failed: any failed drill or failed/timed-out execution, no data is not a failure, notifies ALARM and OK', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'FILL(drill, 0) + FILL(failed, 0) + FILL(timedOut, 0)' })]),
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^DrillTopic') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^DrillTopic') }],
    });
  });

  test('no successful drill in N days: missing data is breaching', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'shipshape/RestoreDrill',
      MetricName: 'DaysSinceLastSuccess',
      Dimensions: [
        { Name: 'Database', Value: drill.databaseLabel },
        { Name: 'service', Value: 'shipshape-restore-drill' },
      ],
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'breaching',
    });
    expect(drill.metricRtoSeconds().metricName).toBe('RtoSeconds');
    // Powertools adds `service` to every metric the drill's Lambdas emit.
    expect(drill.metricRpoSeconds().dimensions).toEqual({ service: 'shipshape-restore-drill', Database: drill.databaseLabel });
  });
});

describe('bad input is refused with the prop and the allowed values', () => {
  test.each([
    [{ source: { mode: 'point-in-time' as const, minutesAgo: 2 } }, /source.minutesAgo: must be a whole number of minutes from 5/],
    [{ restoreTimeout: Duration.minutes(10) }, /restoreTimeout: from 30 minutes to 23 hours/],
    [{ pollInterval: Duration.seconds(5) }, /pollInterval: from 30 seconds to 15 minutes/],
    [{ maxDaysWithoutSuccess: 0 }, /maxDaysWithoutSuccess: a whole number of days from 1 to 90/],
    [{ checks: { tables: [{ table: 'orders; drop table x' }] } }, /checks.tables: "orders; drop table x" must be a table or schema.table name/],
    [{ checks: { freshnessColumn: 'orders.created_at', heartbeat: true } }, /choose freshnessColumn or heartbeat, not both/],
    [{ checks: { sql: [{ name: 'x', sql: 'SELECT 1', expect: {} }] } }, /"x" needs an expectation/],
  ])('%j', (props, message) => {
    expect(() => build(props as Partial<RestoreDrillProps>)).toThrow(message);
  });
});

test('an RDS database gets an instance-engine drill whose validator reads instance secrets', () => {
  const { template } = build({}, DatabaseEngine.RDS_MULTI_AZ);
  const [read] = statementsOf(template, 'DrillValidatorServiceRole').filter((s) => s.Action === 'secretsmanager:GetSecretValue');
  expect(read.Condition).toEqual({ StringLike: { 'secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn': '*:shipshape-drill-*' } });
});

describe('heartbeat', () => {
  const { template, stack } = build({ heartbeat: true });

  test('a function writes it every minute from the private subnets, straight to the database', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DrillHeartbeat'), 'Arn'] }, RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 0 }) }),
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DrillHeartbeatSecurityGroup'), 'GroupId'] },
      FromPort: 5432,
    });
  });

  test('every drill checks it', () => {
    const initialize = definitionOf(stack, template).States.Initialize as unknown as { Parameters: { config: { checks: unknown } } };
    expect(initialize.Parameters.config.checks).toEqual({ heartbeat: true });
  });

  test('a heartbeat check without the writer is refused', () => {
    expect(() => build({ checks: { heartbeat: true } })).toThrow(/checks.heartbeat: set heartbeat: true/);
  });
});
