/**
 * Deploy-time proof of RotationRollout: rotating the database login the service uses starts a new
 * deployment of the service, which completes, so its tasks read the new value. See
 * docs/integration-tests.md.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { DatabaseEngine, NatStrategy, ProductionNetwork, RedundantService, ResilientDatabase, RotationRollout } from '../../constructs';
import { acknowledge } from '../../constructs/private/acknowledge';
import { EmptyOnDelete } from './support/empty-on-delete';
import { integApp, testStack } from './support/integ-app';
import { runScript, serveFiles, TEST_IMAGE } from './support/test-app';

/** The version id the test's rotation creates (32-64 characters), so it can tell that version apart. */
const ROTATION_TOKEN = 'shipshape-integ-rotation-00000000000001';

const app = integApp();
const stack = testStack(app, 'ShipshapeIntegRotation');
const network = new ProductionNetwork(stack, 'Network', { natStrategy: NatStrategy.SINGLE });
const database = new ResilientDatabase(stack, 'Database', {
  vpc: network.vpc,
  vpcSubnets: network.dataSubnets,
  functionSubnets: network.appSubnets,
  engine: DatabaseEngine.RDS_MULTI_AZ,
  instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
  applicationUser: { username: 'app' },
  deletionProtection: false,
  removalPolicy: RemovalPolicy.DESTROY,
});
for (const id of ['AwsSolutions-RDS10', 'NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled']) {
  acknowledge(database.instance, id, 'Integ test database: the test deletes it, with the stack, when it ends.');
}
const service = new RedundantService(stack, 'Service', {
  vpc: network.vpc,
  taskSubnets: network.appSubnets,
  loadBalancerSubnets: network.publicSubnets,
  image: ecs.ContainerImage.fromRegistry(TEST_IMAGE),
  environment: database.connectionEnvironment(),
  secrets: database.connectionSecrets(),
  bakeTime: Duration.minutes(1),
  deletionProtection: false,
});
runScript(service, serveFiles({ health: 'ok' }));
database.allowConnectionsFrom(service, 'the service');
const rollout = new RotationRollout(stack, 'SecretRollout', {
  service: service.service,
  rotatedSecrets: [database.connectionSecret],
  encryptionKey: service.encryptionKey,
});
new EmptyOnDelete(stack, 'EmptyOnDelete', {
  buckets: [service.node.findChild('AccessLogs') as s3.Bucket],
  vaults: [database.backupPlan.vault],
  writers: [service.loadBalancer],
});

const integ = new IntegTest(app, 'Rotation', { testCases: [stack], stackUpdateWorkflow: false, diffAssets: false });
const { assertions } = integ;
const cluster = service.cluster.clusterArn;
const serviceArn = service.service.serviceArn;
const rollouts = (statusFilter?: string) =>
  assertions.awsApiCall('StepFunctions', 'listExecutions', { stateMachineArn: rollout.stateMachine.stateMachineArn, ...(statusFilter ? { statusFilter } : {}) });

// No rollout yet: the test stack turns off create-time rotation (see support/integ-app.ts).
rollouts()
  .expect(ExpectedResult.objectLike({ executions: [] }))
  // A wait, even on a check that holds at once, fails the deploy when it does not hold.
  .waitForAssertions({ totalTimeout: Duration.minutes(2), interval: Duration.seconds(30) })
  .next(assertions.awsApiCall('SecretsManager', 'rotateSecret', { SecretId: database.connectionSecret.secretArn, ClientRequestToken: ROTATION_TOKEN }))
  .next(
    assertions
      .awsApiCall('SecretsManager', 'describeSecret', { SecretId: database.connectionSecret.secretArn })
      .expect(ExpectedResult.objectLike({ VersionIdsToStages: Match.objectLike({ [ROTATION_TOKEN]: Match.arrayWith(['AWSCURRENT']) }) }))
      .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) }),
  )
  .next(
    // EventBridge saw RotationSucceeded and the rollout asked ECS for a new deployment.
    rollouts('SUCCEEDED')
      .expect(ExpectedResult.objectLike({ executions: Match.arrayWith([Match.objectLike({ status: 'SUCCEEDED' })]) }))
      .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) }),
  )
  .next(
    // The new deployment completed: one deployment left, every task running.
    assertions
      .awsApiCall('ECS', 'describeServices', { cluster, services: [serviceArn] })
      .expect(ExpectedResult.objectLike({ services: [Match.objectLike({ runningCount: 2, deployments: [Match.objectLike({ rolloutState: 'COMPLETED' })] })] }))
      .waitForAssertions({ totalTimeout: Duration.minutes(40), interval: Duration.seconds(30) }),
  )
  .next(
    // ...and it was not rolled back or stopped.
    assertions
      .awsApiCall('ECS', 'listServiceDeployments', { cluster, service: serviceArn, status: ['ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED', 'STOPPED'] })
      .expect(ExpectedResult.objectLike({ serviceDeployments: [] }))
      .waitForAssertions({ totalTimeout: Duration.minutes(2), interval: Duration.seconds(30) }),
  );

app.synth();
