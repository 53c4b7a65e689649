/**
 * Deploy-time proof of RedundantService's blue/green releases: a revision that fails the smoke
 * test is rolled back before it takes production traffic, and a good one completes. See
 * docs/integration-tests.md.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { NatStrategy, ProductionNetwork, RedundantService, ReleaseStrategy } from '../../constructs';
import { EmptyOnDelete } from './support/empty-on-delete';
import { integApp, testStack } from './support/integ-app';
import { revision, runScript, serveFiles, TEST_IMAGE } from './support/test-app';

const app = integApp();
const stack = testStack(app, 'ShipshapeIntegBlueGreen');
const network = new ProductionNetwork(stack, 'Network', { natStrategy: NatStrategy.SINGLE });
const service = new RedundantService(stack, 'Service', {
  vpc: network.vpc,
  taskSubnets: network.appSubnets,
  loadBalancerSubnets: network.publicSubnets,
  image: ecs.ContainerImage.fromRegistry(TEST_IMAGE),
  releaseStrategy: ReleaseStrategy.BLUE_GREEN,
  // The shortest bake ECS accepts, to keep the run short.
  bakeTime: Duration.minutes(1),
  // The smoke test asks for /ready, which a bad revision does not serve (its /health still passes,
  // so it starts and takes test traffic: the failure is the smoke test's to catch).
  smokeTest: { path: '/ready', attempts: 2 },
  deletionProtection: false,
});
runScript(service, serveFiles({ health: 'ok', ready: 'ok', version: 'v1' }));
const bad = revision(stack, 'BadRevision', service, serveFiles({ health: 'ok', version: 'bad' }));
const good = revision(stack, 'GoodRevision', service, serveFiles({ health: 'ok', ready: 'ok', version: 'v2' }));
new EmptyOnDelete(stack, 'EmptyOnDelete', {
  buckets: [service.node.findChild('AccessLogs') as s3.Bucket],
  writers: [service.loadBalancer],
});

const integ = new IntegTest(app, 'BlueGreen', {
  testCases: [stack],
  stackUpdateWorkflow: false,
  diffAssets: false,
});
const { assertions } = integ;
const cluster = service.cluster.clusterArn;
const serviceArn = service.service.serviceArn;

/** Moves the service to `task`, as a release does: ECS starts a blue/green deployment. */
function release(task: ecs.FargateTaskDefinition) {
  const call = assertions.awsApiCall('ECS', 'updateService', { cluster, service: serviceArn, taskDefinition: task.taskDefinitionArn });
  // UpdateService hands ECS the revision's execution role, and the service's blue/green roles.
  const roles = [task.executionRole, service.blueGreen?.infrastructureRole, service.blueGreen?.smokeTestHookRole];
  call.provider.addToRolePolicy({ Effect: 'Allow', Action: ['iam:PassRole'], Resource: roles.flatMap((r) => (r ? [r.roleArn] : [])) });
  return call;
}
const serving = (version: string) =>
  assertions
    .httpApiCall(`${service.url}/version`)
    .expect(ExpectedResult.objectLike({ status: 200, body: `${version}\n` }))
    .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(20) });
/** The service has settled on `task`: one deployment, completed, every task running. */
const settledOn = (task: ecs.FargateTaskDefinition) =>
  assertions
    .awsApiCall('ECS', 'describeServices', { cluster, services: [serviceArn] })
    .expect(
      ExpectedResult.objectLike({
        services: [Match.objectLike({ taskDefinition: task.taskDefinitionArn, deployments: [Match.objectLike({ rolloutState: 'COMPLETED' })] })],
      }),
    )
    .waitForAssertions({ totalTimeout: Duration.minutes(40), interval: Duration.seconds(30) });

serving('v1')
  .next(release(bad))
  .next(
    // The smoke test fails on the test route; ECS rolls the deployment back (ListServiceDeployments
    // filtered on the rolled-back status), and production never left v1.
    assertions
      .awsApiCall('ECS', 'listServiceDeployments', { cluster, service: serviceArn, status: ['ROLLBACK_SUCCESSFUL'] })
      .expect(ExpectedResult.objectLike({ serviceDeployments: Match.arrayWith([Match.objectLike({ status: 'ROLLBACK_SUCCESSFUL' })]) }))
      .waitForAssertions({ totalTimeout: Duration.minutes(40), interval: Duration.seconds(30) }),
  )
  .next(settledOn(service.taskDefinition))
  .next(serving('v1'))
  .next(release(good))
  .next(settledOn(good))
  .next(serving('v2'));

app.synth();
