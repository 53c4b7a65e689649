/**
 * Deploy-time proof of RestoreDrill: a drill run restores a copy of the database, validates it,
 * reports an RTO and an RPO, and deletes the copy. See docs/integration-tests.md.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { type CfnElement, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { DatabaseEngine, NatStrategy, ProductionNetwork, ResilientDatabase, RestoreDrill } from '../../constructs';
import { acknowledge } from '../../constructs/private/acknowledge';
import { EmptyOnDelete } from './support/empty-on-delete';
import { integApp, testStack } from './support/integ-app';

const app = integApp();
const stack = testStack(app, 'ShipshapeIntegRestoreDrill');
const network = new ProductionNetwork(stack, 'Network', { natStrategy: NatStrategy.SINGLE });
const database = new ResilientDatabase(stack, 'Database', {
  vpc: network.vpc,
  vpcSubnets: network.dataSubnets,
  functionSubnets: network.appSubnets,
  engine: DatabaseEngine.RDS_MULTI_AZ,
  instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
  // The test deletes the database, without a final snapshot, when it ends.
  deletionProtection: false,
  removalPolicy: RemovalPolicy.DESTROY,
});
const drill = new RestoreDrill(stack, 'RestoreDrill', {
  database,
  // Point-in-time: proves the transaction logs as well as the snapshot.
  source: { mode: 'point-in-time', minutesAgo: 5 },
  instanceClass: 'db.t4g.micro',
  // A row written every minute, so the drill measures an RPO.
  heartbeat: true,
});
new EmptyOnDelete(stack, 'EmptyOnDelete', { buckets: [drill.reportBucket], vaults: [database.backupPlan.vault] });

/**
 * Test scaffolding: waits until the heartbeat has had time to reach the restorable window (RDS
 * ships transaction logs every 5 minutes), runs the drill and waits for it, then reads the report
 * it wrote and fails unless it succeeded with numeric RTO and RPO.
 */
const waitForHeartbeat = new sfn.Wait(stack, 'WaitForHeartbeat', { time: sfn.WaitTime.duration(Duration.minutes(12)) });
const runDrill = new tasks.StepFunctionsStartExecution(stack, 'RunDrill', {
  stateMachine: drill.stateMachine,
  integrationPattern: sfn.IntegrationPattern.RUN_JOB,
  resultSelector: { 'bucket.$': '$.Output.config.reportBucket', 'key.$': '$.Output.reportKey' },
});
const readReport = new tasks.CallAwsService(stack, 'ReadReport', {
  service: 's3',
  action: 'getObject',
  parameters: { 'Bucket.$': '$.bucket', 'Key.$': '$.key' },
  iamResources: [drill.reportBucket.arnForObjects('*')],
  resultSelector: { 'report.$': 'States.StringToJson($.Body)' },
});
const figures = new sfn.Choice(stack, 'ReportsRtoAndRpo')
  .when(
    sfn.Condition.and(
      sfn.Condition.stringEquals('$.report.outcome', 'succeeded'),
      sfn.Condition.isNumeric('$.report.rtoSeconds'),
      sfn.Condition.isNumeric('$.report.rpoSeconds'),
    ),
    new sfn.Succeed(stack, 'DrillProven'),
  )
  .otherwise(new sfn.Fail(stack, 'DrillNotProven', { error: 'DrillNotProven', cause: 'The drill report lacks a success, an RTO or an RPO' }));
const probe = new sfn.StateMachine(stack, 'DrillProbe', {
  definitionBody: sfn.DefinitionBody.fromChainable(waitForHeartbeat.next(runDrill).next(readReport).next(figures)),
  timeout: Duration.hours(2),
  removalPolicy: RemovalPolicy.DESTROY,
});
// The report bucket is encrypted with the database key.
database.encryptionKey.grantDecrypt(probe);
const drillId = stack.getLogicalId(drill.stateMachine.node.defaultChild as CfnElement);
const reportsId = stack.getLogicalId(drill.reportBucket.node.defaultChild as CfnElement);
const probeFindings: Array<[string, string]> = [
  ['AwsSolutions-SF1', 'Integ test scaffolding: the test reads the execution output; no log group outlives the run.'],
  ['AwsSolutions-SF2', 'Integ test scaffolding: one execution per test run, traced by the drill state machine it starts.'],
  ['NIST.800.53.R5-StepFunctionStateMachineLoggingEnabled', 'Integ test scaffolding: the test reads the execution output; no log group outlives the run.'],
  ['NIST.800.53.R5-IAMNoInlinePolicy', 'CDK writes the grants of this test state machine (start and follow the drill, read its report) as the role default policy.'],
  [
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${drillId}"}]}]}*]`,
    'Following a drill run (startExecution.sync) needs its execution, whose name is chosen at run time; the grant covers executions of the drill state machine only.',
  ],
  [`AwsSolutions-IAM5[Resource::<${reportsId}.Arn>/*]`, 'Reads the report the drill run wrote, whose key is chosen at run time; the grant covers the drill report bucket only.'],
];
// The test deletes its database when it ends.
for (const id of ['AwsSolutions-RDS10', 'NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled']) {
  acknowledge(database.instance, id, 'Integ test database: the test deletes it, with the stack, when it ends.');
}
for (const [id, reason] of probeFindings) acknowledge(probe, id, reason);

const integ = new IntegTest(app, 'RestoreDrill', { testCases: [stack], stackUpdateWorkflow: false, diffAssets: false });
const { assertions } = integ;
const drillRuns = (statusFilter: string) =>
  assertions.awsApiCall('StepFunctions', 'listExecutions', { stateMachineArn: drill.stateMachine.stateMachineArn, statusFilter });
const started = assertions.awsApiCall('StepFunctions', 'startExecution', { stateMachineArn: probe.stateMachineArn });
// Each wait is its own custom resource, which CloudFormation gives at most an hour: the run is
// followed in three steps (the heartbeat wait, the drill, the report).
started
  .next(
    drillRuns('RUNNING')
      .expect(ExpectedResult.objectLike({ executions: Match.arrayWith([Match.objectLike({ status: 'RUNNING' })]) }))
      .waitForAssertions({ totalTimeout: Duration.minutes(20), interval: Duration.minutes(1) }),
  )
  .next(
    drillRuns('SUCCEEDED')
      .expect(ExpectedResult.objectLike({ executions: Match.arrayWith([Match.objectLike({ status: 'SUCCEEDED' })]) }))
      .waitForAssertions({ totalTimeout: Duration.minutes(55), interval: Duration.minutes(1) }),
  )
  .next(
    assertions
      .awsApiCall('StepFunctions', 'describeExecution', { executionArn: started.getAttString('executionArn') })
      .expect(
        ExpectedResult.objectLike({
          status: 'SUCCEEDED',
          output: Match.serializedJson({ report: Match.objectLike({ outcome: 'succeeded', database: drill.databaseLabel }) }),
        }),
      )
      .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) }),
  );

app.synth();
