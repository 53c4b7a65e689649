import { Match } from 'aws-cdk-lib/assertions';
import { synthReferenceApp } from '../helpers/reference-app';

describe('the reference app wires the service to its database and secrets', () => {
  const app = synthReferenceApp({ 'shipshape.secrets': { SESSION_KEY: 'generated', PAYMENT_API_KEY: 'operator' } });

  test('the stateful stack holds an Aurora database tagged as the database component', () => {
    app.statefulTemplate.hasResourceProperties('AWS::RDS::DBCluster', {
      Tags: Match.arrayWith([{ Key: 'shipshape:component', Value: 'database' }]),
    });
  });

  test('the service may reach the database on 5432, by a rule in the stateless stack (the stateful stack depends on nothing)', () => {
    app.statelessTemplate.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432,
      ToPort: 5432,
      // A strong reference: the service's ingress rule must follow a replaced security group.
      GroupId: { 'Fn::ImportValue': Match.stringLikeRegexp(`^${app.stateful.stackName}:ExportsOutput.*DatabaseSecurityGroup`) },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ServiceSecurityGroup'), 'GroupId'] },
    });
    expect(app.stateful.dependencies).toEqual([]);
  });

  test('the container gets the host in its environment and the login and app secrets injected, never as plain values', () => {
    app.statelessTemplate.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Environment: Match.arrayWith([{ Name: 'DB_PORT', Value: '5432' }, { Name: 'DB_NAME', Value: 'app' }]),
          Secrets: [
            { Name: 'DB_USER', ValueFrom: Match.objectLike({ 'Fn::Join': ['', [Match.anyValue(), ':username::']] }) },
            { Name: 'DB_PASSWORD', ValueFrom: Match.objectLike({ 'Fn::Join': ['', [Match.anyValue(), ':password::']] }) },
            { Name: 'SESSION_KEY', ValueFrom: Match.anyValue() },
            { Name: 'PAYMENT_API_KEY', ValueFrom: Match.anyValue() },
          ],
        }),
      ],
    });
    const environment = JSON.stringify(app.statelessTemplate.findResources('AWS::ECS::TaskDefinition'));
    expect(environment).not.toMatch(/"Name":"DB_PASSWORD","Value":/);
  });

  test('application secrets live in the stateful stack, kept and encrypted', () => {
    app.statefulTemplate.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: Match.objectLike({ Description: Match.stringLikeRegexp('^PAYMENT_API_KEY'), KmsKeyId: Match.anyValue() }),
    });
  });

  test('a rotation of the login or a new operator value redeploys the service', () => {
    // Two rollout rules, the deployment-failure rule of the alarms, the rotation-failure rule, the alarm rollback rule,
    // and the release pipeline's two: a push to the kit's repository starts it, a failed release pages.
    app.statelessTemplate.resourceCountIs('AWS::Events::Rule', 7);
    app.statelessTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ eventName: ['RotationSucceeded'] }) }),
    });
    app.statelessTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ eventName: ['PutSecretValue'] }) }),
    });
  });

  test('rotation failures of the master and application logins notify the alarm topic, from a rule beside it', () => {
    app.statelessTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: { eventName: ['RotationFailed'], additionalEventData: { SecretId: [Match.anyValue(), Match.anyValue()] } },
      }),
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^AlarmsNotificationsTopic') } })],
    });
    app.statefulTemplate.resourceCountIs('AWS::Events::Rule', 0);
  });
});

describe('database variants still pass every policy pack', () => {
  test.each([
    ['budget (RDS Multi-AZ)', { 'shipshape.profile': 'budget' }],
    ['with RDS Proxy', { 'shipshape.database.proxy': true }],
    [
      'with a vault lock and a cross-region copy',
      { 'shipshape.database.backup': { vaultLock: { minRetentionDays: 7 }, crossRegionCopy: { region: 'us-west-2', vaultName: 'dr' } } },
    ],
  ])('%s', (_name, context) => {
    expect(() => synthReferenceApp(context)).not.toThrow();
  });

  test('with a proxy the service is allowed to the proxy, not the database', () => {
    const app = synthReferenceApp({ 'shipshape.database.proxy': true });
    app.statelessTemplate.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432,
      GroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('DatabaseProxySecurityGroup') },
    });
  });
});

describe('the reference app proves its backups', () => {
  const app = synthReferenceApp({
    'shipshape.drill': { weekDay: 'SAT', hour: 3, timeZone: 'Europe/Berlin', source: 'point-in-time', checks: { tables: [{ table: 'orders', minRows: 1 }] } },
  });

  test('a weekly drill in the configured time zone, with the configured source and checks', () => {
    app.statefulTemplate.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 3 ? * SAT *)', ScheduleExpressionTimezone: 'Europe/Berlin' });
    const [machine] = Object.values(app.statefulTemplate.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: Match.absent() } }));
    const joined = app.stateful.resolve((machine as { Properties: { DefinitionString: unknown } }).Properties.DefinitionString) as { 'Fn::Join': [string, unknown[]] };
    const definition = JSON.parse(joined['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'TOKEN')).join('')) as {
      States: { Initialize: { Parameters: { config: { source: unknown; checks: unknown } } } };
    };
    expect(definition.States.Initialize.Parameters.config.source).toEqual({ mode: 'point-in-time', minutesAgo: 15 });
    expect(definition.States.Initialize.Parameters.config.checks).toEqual({ tables: [{ table: 'orders', minRows: 1 }], heartbeat: true });
  });

  test('the CLI finds the drill and its reports through stack outputs', () => {
    app.statefulTemplate.hasOutput('RestoreDrillStateMachineArn', { Value: { Ref: Match.stringLikeRegexp('^RestoreDrillStateMachine') } });
    app.statefulTemplate.hasOutput('RestoreDrillReportBucket', { Value: { Ref: Match.stringLikeRegexp('^RestoreDrillReports') } });
  });
});

describe('the reference app knows before users complain', () => {
  const app = synthReferenceApp();

  test('the alarms, the composite and the dashboard live in the stateless stack; the drill alarms too', () => {
    // 21 that page (release-fast-errors on the reference application's ServerErrors metric among them), the release gate,
    // and the alarm rollback's failure and dead-letter alarms (they page too).
    app.statelessTemplate.resourceCountIs('AWS::CloudWatch::Alarm', 24);
    app.statelessTemplate.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', { AlarmName: `${app.stateless.stackName}-service-unhealthy` });
    app.statelessTemplate.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    app.statefulTemplate.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('the owner from cdk.json gets the notifications', () => {
    app.statelessTemplate.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'platform-oncall@example.com' });
  });

  test('every log group in both stacks is encrypted with a customer key and has a retention', () => {
    for (const template of [app.statefulTemplate, app.statelessTemplate]) {
      const groups = Object.entries(template.findResources('AWS::Logs::LogGroup')) as Array<[string, { Properties: Record<string, unknown> }]>;
      expect(groups.length).toBeGreaterThan(0);
      for (const [id, group] of groups) {
        expect({ id, key: group.Properties.KmsKeyId !== undefined, retention: group.Properties.RetentionInDays }).toEqual({ id, key: true, retention: expect.any(Number) });
      }
    }
  });
});
