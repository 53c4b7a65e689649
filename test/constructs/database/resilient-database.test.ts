import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DatabaseEngine, ResilientDatabase, type ResilientDatabaseProps } from '../../../constructs/database';
import { ProductionNetwork } from '../../../constructs/network';

function build(props: Partial<ResilientDatabaseProps> = {}, stack = new Stack()) {
  const network = new ProductionNetwork(stack, 'Network');
  const database = new ResilientDatabase(stack, 'Database', {
    vpc: network.vpc,
    vpcSubnets: network.dataSubnets,
    functionSubnets: network.appSubnets,
    ...props,
  });
  return {
    stack,
    network,
    database,
    /** Synthesizes on first use: modify the stack before reading it. */
    get template() {
      return Template.fromStack(stack);
    },
  };
}

function isolatedSubnetRefs(stack: Stack, network: ProductionNetwork): unknown[] {
  return network.vpc.selectSubnets(network.dataSubnets).subnetIds.map((id) => stack.resolve(id) as unknown);
}

describe('ResilientDatabase on Aurora Serverless v2 (the default)', () => {
  const { template, stack, network, database } = build({ applicationUser: {} });

  test('a writer and a reader (a failover target in another AZ), private, with Performance Insights and enhanced monitoring', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
    template.allResourcesProperties('AWS::RDS::DBInstance', {
      DBInstanceClass: 'db.serverless',
      PubliclyAccessible: false,
      MonitoringInterval: 60,
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', { PromotionTier: 0 });
    template.hasResourceProperties('AWS::RDS::DBInstance', { PromotionTier: 1 });
  });

  test('encrypted with a rotating customer-managed key, IAM authentication, deletion protection, snapshot on delete', () => {
    template.hasResource('AWS::RDS::DBCluster', {
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
      Properties: Match.objectLike({
        Engine: 'aurora-postgresql',
        EngineVersion: '17.9',
        StorageEncrypted: true,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] },
        EnableIAMDatabaseAuthentication: true,
        DeletionProtection: true,
        CopyTagsToSnapshot: true,
        ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
        Port: 5432,
      }),
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: Match.stringLikeRegexp('database') });
  });

  test('automated backups kept 14 days in a 03:00-04:00 UTC window', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', { BackupRetentionPeriod: 14, PreferredBackupWindow: '03:00-04:00' });
  });

  test('TLS only, slow statements (>= 500 ms) and lock waits logged', () => {
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Family: 'aurora-postgresql17',
      Parameters: { 'rds.force_ssl': '1', log_min_duration_statement: '500', log_lock_waits: '1', log_temp_files: '10240' },
    });
  });

  test('runs only in the isolated subnets', () => {
    template.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: isolatedSubnetRefs(stack, network) });
  });

  test('the PostgreSQL log goes to an encrypted log group created first, with a retention', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', { EnableCloudwatchLogsExports: ['postgresql'] });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `/aws/rds/cluster/${database.identifier}/postgresql`,
      RetentionInDays: 90,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] },
    });
    template.hasResource('AWS::RDS::DBCluster', { DependsOn: Match.arrayWith([Match.stringLikeRegexp('^DatabasePostgresLog')]) });
  });

  test('deadlocks in the log are counted by a metric filter (CloudWatch has no PostgreSQL deadlock metric)', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '"deadlock detected"',
      MetricTransformations: [{ MetricNamespace: `shipshape/Database/${database.identifier}`, MetricName: 'Deadlocks', MetricValue: '1', DefaultValue: 0 }],
    });
    expect(stack.resolve(database.metricDeadlocks().namespace)).toBe(`shipshape/Database/${database.identifier}`);
  });

  test('nothing reaches the database except what is granted: the rotation and bootstrap functions', () => {
    const ingress = template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseSecurityGroup'), 'GroupId'] } },
    });
    const sources = Object.values(ingress).map((r) => JSON.stringify((r as { Properties: { SourceSecurityGroupId: unknown } }).Properties.SourceSecurityGroupId));
    expect(sources).toHaveLength(3);
    expect(sources.join()).toMatch(/MasterSecretAttachmentRotationScheduleSecurityGroup/);
    expect(sources.join()).toMatch(/ApplicationUserSecretAttachmentRotationScheduleSecurityGroup/);
    expect(sources.join()).toMatch(/ApplicationUserBootstrapSecurityGroup/);
    for (const rule of Object.values(ingress)) {
      expect((rule as { Properties: Record<string, unknown> }).Properties).toMatchObject({ FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp' });
    }
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Database: reachable only'),
      SecurityGroupIngress: Match.absent(),
    });
  });

  test('the metrics point at the cluster; replica lag exists because there is a reader', () => {
    expect(database.metricCPUUtilization().dimensions).toEqual({ DBClusterIdentifier: database.cluster?.clusterIdentifier });
    expect(database.metricFreeableMemory().statistic).toBe('Minimum');
    expect(database.metricDatabaseConnections().statistic).toBe('Maximum');
    expect(database.metricFreeStorageSpace().metricName).toBe('FreeLocalStorage');
    expect(database.metricVolumeBytesUsed()?.metricName).toBe('VolumeBytesUsed');
    expect(database.metricReplicaLag()?.metricName).toBe('AuroraReplicaLagMaximum');
    expect(database.estimatedMaxConnections).toBe(901); // 4 ACU x 2 GiB / 9531392 bytes
  });
});

describe('ResilientDatabase on RDS Multi-AZ', () => {
  const { template, database } = build({
    engine: DatabaseEngine.RDS_MULTI_AZ,
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
    postgresVersion: '16.9',
    applicationUser: {},
  });

  test('one Multi-AZ instance on gp3 that grows on its own, private, encrypted, IAM auth, protected', () => {
    template.resourceCountIs('AWS::RDS::DBCluster', 0);
    template.hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Snapshot',
      Properties: Match.objectLike({
        Engine: 'postgres',
        EngineVersion: '16.9',
        DBInstanceClass: 'db.t4g.micro',
        MultiAZ: true,
        PubliclyAccessible: false,
        StorageType: 'gp3',
        AllocatedStorage: '20',
        MaxAllocatedStorage: 100,
        StorageEncrypted: true,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] },
        EnableIAMDatabaseAuthentication: true,
        DeletionProtection: true,
        CopyTagsToSnapshot: true,
        BackupRetentionPeriod: 14,
        DeleteAutomatedBackups: false,
        EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
        MonitoringInterval: 60,
        EnablePerformanceInsights: true,
      }),
    });
  });

  test('TLS only and slow-query logging through the instance parameter group', () => {
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres16',
      Parameters: Match.objectLike({ 'rds.force_ssl': '1', log_min_duration_statement: '500' }),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/aws/rds/instance/${database.identifier}/postgresql` });
  });

  test('the metrics point at the instance; there is no replica lag (the standby is not readable)', () => {
    expect(database.metricCPUUtilization().dimensions).toEqual({ DBInstanceIdentifier: database.instance?.instanceIdentifier });
    expect(database.metricFreeStorageSpace().metricName).toBe('FreeStorageSpace');
    expect(database.metricReplicaLag()).toBeUndefined();
    expect(database.metricVolumeBytesUsed()).toBeUndefined();
    expect(database.estimatedMaxConnections).toBe(112);
  });

  test('the backup plan selects the instance', () => {
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({
        Resources: [Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([':db:', { Ref: Match.stringLikeRegexp('^DatabaseInstance') }])]) })],
      }),
    });
  });
});

describe('ResilientDatabase: clients', () => {
  test('allowConnectionsFrom adds one ingress rule on 5432 and nothing else', () => {
    const { stack, network, database } = build();
    const client = new ec2.SecurityGroup(stack, 'Client', { vpc: network.vpc });
    database.allowConnectionsFrom(client, 'the app');
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432,
      ToPort: 5432,
      Description: 'the app',
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Client'), 'GroupId'] },
    });
  });

  test('grantConnect allows rds-db:connect as the named user only', () => {
    const { stack, database } = build();
    const role = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    database.grantConnect(role, 'app_iam');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^AppRole') }],
      PolicyDocument: {
        Statement: [Match.objectLike({ Action: 'rds-db:connect', Resource: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([':dbuser:', '/app_iam'])]) }) })],
      },
    });
  });

  test('the connection settings: host and port in the environment, the login injected from the application secret', () => {
    const { stack, database } = build({ applicationUser: { username: 'shop' } });
    expect(database.connectionEnvironment()).toMatchObject({ DB_PORT: '5432', DB_NAME: 'app', DB_SSLMODE: 'require' });
    const secrets = database.connectionSecrets();
    expect(Object.keys(secrets)).toEqual(['DB_USER', 'DB_PASSWORD']);
    expect(stack.resolve(secrets.DB_PASSWORD.arn)).toEqual({ 'Fn::Join': ['', [{ Ref: expect.stringMatching(/ApplicationUserSecretAttachment/) }, ':password::']] });
  });

  test('with a proxy: IAM authentication and TLS required, pooled below max_connections, the only way in for clients', () => {
    const { stack, network, database, template } = build({ proxy: {}, applicationUser: {} });
    // The proxy logs in with the master and the application user's secrets.
    template.hasResourceProperties('AWS::RDS::DBProxy', { Auth: Match.arrayWith([Match.objectLike({ SecretArn: { Ref: Match.stringLikeRegexp('ApplicationUserSecretAttachment') } })]) });
    template.hasResourceProperties('AWS::RDS::DBProxy', {
      RequireTLS: true,
      EngineFamily: 'POSTGRESQL',
      Auth: Match.arrayWith([Match.objectLike({ IAMAuth: 'REQUIRED' })]),
      VpcSubnetIds: isolatedSubnetRefs(stack, network),
    });
    template.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
      ConnectionPoolConfigurationInfo: { MaxConnectionsPercent: 80, MaxIdleConnectionsPercent: 40 },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseProxySecurityGroup'), 'GroupId'] },
    });
    expect(stack.resolve(database.endpoint.hostname)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DatabaseProxy/), 'Endpoint'] });
    expect(stack.resolve(database.connections.securityGroups[0].securityGroupId)).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^DatabaseProxySecurityGroup/), 'GroupId'],
    });
  });
});

describe('ResilientDatabase: bad input is refused at synth with the prop and the allowed values', () => {
  test.each([
    [{ backupRetention: Duration.days(0) }, /backupRetention: automated backups keep a whole number of days from 1 to 35 \(got 0 days\)/],
    [{ backupRetention: Duration.days(36) }, /backupRetention: .*1 to 35 \(got 36 days\)/],
    [{ minCapacity: 8, maxCapacity: 4 }, /minCapacity: 8 ACUs is more than maxCapacity 4/],
    [{ maxCapacity: 3.3 }, /maxCapacity: .*steps of 0.5/],
    [{ postgresVersion: '17.99' }, /postgresVersion: 17.99 is not a known aurora-serverless-v2 version; recent ones: .*17\.9/],
    [{ engine: DatabaseEngine.RDS_MULTI_AZ, postgresVersion: '9.1' }, /postgresVersion: 9.1 is not a known rds-multi-az version/],
    [{ credentialRotation: Duration.days(0) }, /credentialRotation: rotation interval must be a whole number of days from 1 to 365 \(got 0 days\)/],
    [{ credentialRotation: Duration.days(400) }, /from 1 to 365 \(got 400 days\)/],
    [{ monitoringInterval: Duration.seconds(7) }, /monitoringInterval: must be one of 1, 5, 10, 15, 30, 60 seconds/],
    [{ databaseName: 'postgres' }, /databaseName: "postgres" .*reserved/],
    [{ preferredBackupWindow: '3-4' }, /preferredBackupWindow: "3-4" must be UTC hh:mm-hh:mm/],
    [{ readers: 16 }, /readers: Aurora takes 0 to 15 readers/],
    [{ engine: DatabaseEngine.RDS_MULTI_AZ, allocatedStorageGiB: 10 }, /allocatedStorageGiB: gp3 storage is 20 to 65536 GiB/],
  ])('%o', (props, message) => {
    const stack = new Stack();
    expect(() => build(props as Partial<ResilientDatabaseProps>, stack)).toThrow(message);
    // Nothing of the database was created before the error.
    expect(stack.node.tryFindChild('Database')?.node.children.length ?? 0).toBe(0);
  });
});
