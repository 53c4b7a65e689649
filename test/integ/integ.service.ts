/**
 * Deploy-time proof of RedundantService: the service answers through its load balancer, with every
 * task it asked for running. See docs/integration-tests.md.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { NatStrategy, ProductionNetwork, RedundantService } from '../../constructs';
import { EmptyOnDelete } from './support/empty-on-delete';
import { integApp, testStack } from './support/integ-app';
import { runScript, serveFiles, TEST_IMAGE } from './support/test-app';

const app = integApp();
const stack = testStack(app, 'ShipshapeIntegService');
const network = new ProductionNetwork(stack, 'Network', { natStrategy: NatStrategy.SINGLE });
const service = new RedundantService(stack, 'Service', {
  vpc: network.vpc,
  taskSubnets: network.appSubnets,
  loadBalancerSubnets: network.publicSubnets,
  image: ecs.ContainerImage.fromRegistry(TEST_IMAGE),
  // The test deletes the load balancer when it ends.
  deletionProtection: false,
});
runScript(service, serveFiles({ health: 'ok', 'index.html': 'shipshape integ' }));
// ALB access logs land in the bucket until the load balancer is gone: empty it after that.
new EmptyOnDelete(stack, 'EmptyOnDelete', {
  buckets: [service.node.findChild('AccessLogs') as s3.Bucket],
  writers: [service.loadBalancer],
});

const integ = new IntegTest(app, 'Service', {
  testCases: [stack],
  // Snapshots hold templates only, not Lambda bundles (integ-runner drops the assets of stacks
  // without the update workflow); each run creates the stack afresh.
  stackUpdateWorkflow: false,
  diffAssets: false,
});

integ.assertions
  .httpApiCall(`${service.url}/health`)
  .expect(ExpectedResult.objectLike({ status: 200 }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(20) })
  .next(
    integ.assertions
      .awsApiCall('ECS', 'describeServices', { cluster: service.cluster.clusterArn, services: [service.service.serviceArn] })
      .expect(ExpectedResult.objectLike({ services: [{ desiredCount: 2, runningCount: 2 }] }))
      .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) }),
  );

app.synth();
