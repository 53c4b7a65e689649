import { App, Aspects, CfnResource, type IAspect, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import { addPolicyPacks } from '../../../lib/policy';

/**
 * Every integ test deploys into an account it must leave as it found it: whatever the kit keeps
 * when a production stack is deleted (KMS keys, log groups, buckets, secrets, the backup vault:
 * `RETAIN_ON_UPDATE_OR_DELETE`) is deleted with the test stack instead. An aspect, so no construct
 * grows a test-only prop. KMS keys are scheduled for deletion, which is how KMS deletes keys, after
 * the shortest waiting period it allows (7 days).
 */
class DestroyOnDelete implements IAspect {
  public visit(node: IConstruct): void {
    if (node instanceof CfnResource) node.applyRemovalPolicy(RemovalPolicy.DESTROY);
    // The shortest waiting period KMS allows: a test key is billed until it is deleted.
    if (node instanceof kms.CfnKey) node.pendingWindowInDays = 7;
    // Create-time rotation would rotate (and roll the service) while the stack is being created;
    // the rotation test starts its own rotation and must see only the rollout that one causes.
    if (node instanceof secretsmanager.CfnRotationSchedule) node.rotateImmediatelyOnUpdate = false;
  }
}

/**
 * The app of one integ test, with shipshape's policy packs: the stacks under test are held to the
 * same rules as the reference app (the jest snapshot test fails on any unacknowledged finding in
 * them).
 */
export function integApp(): App {
  const app = new App();
  addPolicyPacks(app);
  return app;
}

/**
 * A stack under test: environment-agnostic (integ-runner picks the account and region), deleted
 * whole when the test ends.
 */
export function testStack(app: App, id: string, props: StackProps = {}): Stack {
  const stack = new Stack(app, id, props);
  Aspects.of(stack).add(new DestroyOnDelete());
  return stack;
}
