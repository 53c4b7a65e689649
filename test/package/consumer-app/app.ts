/**
 * A team's own CDK app that installed the packed shipshape tarball: it composes the network,
 * service, database, restore drill and alarms in a stack of its own, with non-default props,
 * under shipshape's policy gate. Compiled and run by test/package/consumer.test.ts in a temporary
 * directory; it only sees what the package exports.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import {
  DatabaseEngine,
  NatStrategy,
  ProductionNetwork,
  RedundantService,
  ResilientDatabase,
  RestoreDrill,
  ServiceAlarms,
} from 'shipshape';
import { addPolicyPacks, synthWithPolicyGate } from 'shipshape/policy';

const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'Payments', { description: 'A consumer of the shipshape package' });

const network = new ProductionNetwork(stack, 'Network', { cidr: '10.42.0.0/16', maxAzs: 2, natStrategy: NatStrategy.SINGLE });
const database = new ResilientDatabase(stack, 'Database', {
  vpc: network.vpc,
  vpcSubnets: network.dataSubnets,
  functionSubnets: network.appSubnets,
  engine: DatabaseEngine.RDS_MULTI_AZ,
  applicationUser: { username: 'payments' },
});
const api = new RedundantService(stack, 'Api', {
  vpc: network.vpc,
  taskSubnets: network.appSubnets,
  loadBalancerSubnets: network.publicSubnets,
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable-alpine'),
  containerPort: 8080,
  desiredCount: 3,
  environment: database.connectionEnvironment(),
  secrets: database.connectionSecrets(),
});
database.allowConnectionsFrom(api);
const drill = new RestoreDrill(stack, 'Drill', {
  database,
  schedule: { minute: '30', hour: '4', weekDay: 'TUE' },
  restoreTimeout: Duration.hours(3),
});
// The team's own pager topic: ServiceAlarms adds to its policy (and its key's) the alarms and rules that publish.
const pager = new sns.Topic(stack, 'Pager', { enforceSSL: true, masterKey: database.encryptionKey });
pager.addSubscription(new subscriptions.EmailSubscription('payments-oncall@payments.test'));
new ServiceAlarms(stack, 'Alarms', { service: api, database, drill, topic: pager });

addPolicyPacks(app);
synthWithPolicyGate(app);
