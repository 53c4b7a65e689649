import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DatabaseEngine, ResilientDatabase } from '../../../constructs/database';
import { ProductionNetwork } from '../../../constructs/network';

function build(engine: DatabaseEngine) {
  const stack = new Stack();
  const network = new ProductionNetwork(stack, 'Network');
  const database = new ResilientDatabase(stack, 'Database', {
    vpc: network.vpc,
    vpcSubnets: network.dataSubnets,
    functionSubnets: network.appSubnets,
    engine,
    applicationUser: { username: 'shop' },
  });
  return { stack, network, database, template: Template.fromStack(stack) };
}

describe.each([DatabaseEngine.AURORA_SERVERLESS_V2, DatabaseEngine.RDS_MULTI_AZ])('credentials of %s', (engine) => {
  const { template, stack, network, database } = build(engine);
  const appSubnets = () => network.vpc.selectSubnets(network.appSubnets).subnetIds.map((id) => stack.resolve(id) as unknown);

  test('master and application secrets are encrypted with the database key; the master secret outlives the stack', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    template.allResourcesProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] },
    });
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: Match.objectLike({ GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"dbadmin"}' }) }),
    });
  });

  test('the master rotates every 30 days, single-user, by the hosted function in the private subnets', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: Match.stringLikeRegexp('^DatabaseMasterSecretAttachment') },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      HostedRotationLambda: Match.objectLike({
        RotationType: 'PostgreSQLSingleUser',
        KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] },
        VpcSubnetIds: { 'Fn::Join': ['', appSubnets().flatMap((ref, i) => (i === 0 ? [ref] : [',', ref]))] },
      }),
    });
  });

  test('the application user rotates multi-user with the master secret, only after the bootstrap created it', () => {
    template.hasResource('AWS::SecretsManager::RotationSchedule', {
      DependsOn: [Match.stringLikeRegexp('^DatabaseApplicationUser')],
      Properties: Match.objectLike({
        SecretId: { Ref: Match.stringLikeRegexp('^DatabaseApplicationUserSecretAttachment') },
        HostedRotationLambda: Match.objectLike({
          RotationType: 'PostgreSQLMultiUser',
          MasterSecretArn: { Ref: Match.stringLikeRegexp('^DatabaseMasterSecretAttachment') },
        }),
      }),
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: { 'Fn::Join': ['', ['{"username":"shop","dbname":"app","masterarn":"', { Ref: Match.stringLikeRegexp('^DatabaseMasterSecretAttachment') }, '"}']] },
      }),
    });
    expect(database.applicationUser?.username).toBe('shop');
  });

  test('the bootstrap waits for the database instances, and its function reads only the two secrets', () => {
    const instances = Object.keys(template.findResources('AWS::RDS::DBInstance')).sort();
    template.hasResource('Custom::ShipshapeDatabaseUser', {
      DependsOn: Match.arrayWith(instances),
      Properties: Match.objectLike({
        MasterSecretArn: { Ref: Match.stringLikeRegexp('^DatabaseMasterSecretAttachment') },
        UserSecretArn: { Ref: Match.stringLikeRegexp('^DatabaseApplicationUserSecretAttachment') },
        DatabaseName: 'app',
      }),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^DatabaseApplicationUserBootstrapServiceRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Resource: { Ref: Match.stringLikeRegexp('^DatabaseMasterSecretAttachment') },
          }),
          Match.objectLike({
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Resource: { Ref: Match.stringLikeRegexp('^DatabaseApplicationUserSecretAttachment') },
          }),
        ]),
      },
    });
  });

  test('the bootstrap function: Node 24 in the private subnets, TLS verified against the RDS CAs, encrypted log', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Environment: { Variables: { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' } },
      KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] },
      VpcConfig: Match.objectLike({ SubnetIds: appSubnets() }),
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^DatabaseApplicationUserBootstrapLogs') } }),
    });
  });
});

test('a username rotation could not clone is refused', () => {
  const stack = new Stack();
  const network = new ProductionNetwork(stack, 'Network');
  expect(
    () =>
      new ResilientDatabase(stack, 'Database', {
        vpc: network.vpc,
        applicationUser: { username: 'app_clone' },
      }),
  ).toThrow(/DatabaseUser.username: "app_clone" .*not end in _clone/);
});
