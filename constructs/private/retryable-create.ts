import { Aspects, CfnResource, type IAspect, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { acknowledge } from './acknowledge';
import { allowLogsToUseKey, encryptedLogGroup, rotatingKey } from './encryption';
import { acknowledgeFunctionFindings } from './node-function';

const RESOURCE_TYPE = 'Custom::ShipshapeRetryableCreate';

/** The construct id AwsCustomResource gives its one provider function per stack. */
const PROVIDER_FUNCTION_ID = `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`;

/**
 * Lets a stack with termination protection be deployed again after its first create failed.
 *
 * The CDK CLI turns a stack's termination protection on (from `terminationProtection: true`)
 * before it executes the change set that creates the stack, and on the next `cdk deploy` it
 * deletes a stack whose create rolled back (ROLLBACK_COMPLETE) before creating it again:
 * CloudFormation refuses that delete while the protection is on. This custom resource is created
 * before every other resource of the stack (each depends on it), so whatever fails, it exists;
 * when the create rolls back CloudFormation deletes it last, and its delete turns the protection
 * off (`UpdateTerminationProtection`, allowed in any stack status but DELETE_IN_PROGRESS and
 * DELETE_COMPLETE). The CLI keeps turning the protection on at every later deploy, since the
 * stack's own setting stays true.
 *
 * A deliberate delete of the stack is refused by the protection before any resource is deleted.
 * Once an operator has turned the protection off and deleted the stack, this resource's call
 * fails (the stack is DELETE_IN_PROGRESS) and is ignored, as is any other error: the call never
 * fails a rollback or a delete, at worst the protection stays on. Removing this resource from a
 * deployed stack, changing its construct path, or a failed update that adds it to a stack that
 * exists turns the protection off until the next `cdk deploy`.
 */
export class RetryableCreate extends Construct {
  /** The custom resource whose delete turns the stack's termination protection off. */
  public readonly resource: cr.AwsCustomResource;
  /**
   * The key of its log group, created before every other resource of the stack and admitting
   * CloudWatch Logs of this account: other log groups of the stack may share it (the VPC flow logs).
   */
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Stack, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    if (!stack.terminationProtection) {
      throw new Error(`RetryableCreate: stack ${stack.node.path} has terminationProtection off; there is nothing to turn off after a failed create, remove RetryableCreate`);
    }
    if (stack.node.tryFindChild(PROVIDER_FUNCTION_ID)) {
      throw new Error(`RetryableCreate: create it in stack ${stack.node.path} before any other AwsCustomResource, so the provider function they share is created first too`);
    }
    // Its own key: every other key of the stack is created after this resource. Other logs of the
    // stack share it (its policy admits CloudWatch Logs of this account, nothing else).
    const key = rotatingKey(this, 'Key', 'shipshape stateful stack: logs (termination protection release, VPC flow logs)');
    allowLogsToUseKey(key);
    this.encryptionKey = key;
    const logGroup = encryptedLogGroup(this, 'Logs', { key, retention: logs.RetentionDays.ONE_MONTH });
    this.resource = new cr.AwsCustomResource(this, 'Resource', {
      resourceType: RESOURCE_TYPE,
      onDelete: {
        service: 'CloudFormation',
        action: 'UpdateTerminationProtection',
        parameters: { StackName: stack.stackId, EnableTerminationProtection: false },
        // Never fail a rollback or a delete over this: at worst the protection stays on (a stack
        // being deleted refuses the call, and is going anyway).
        ignoreErrorCodesMatching: '.*',
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['cloudformation:UpdateTerminationProtection'], resources: [stack.stackId] }),
      ]),
      installLatestAwsSdk: false,
      logGroup,
    });
    const provider = stack.node.tryFindChild(PROVIDER_FUNCTION_ID);
    if (!(provider instanceof lambda.Function)) {
      throw new Error(`RetryableCreate: AwsCustomResource's provider function ${PROVIDER_FUNCTION_ID} is not where it used to be; update RetryableCreate`);
    }
    const first = this.resource.node.findAll().find((child): child is CfnResource => CfnResource.isCfnResource(child) && child.cfnResourceType === RESOURCE_TYPE);
    if (!first) throw new Error(`RetryableCreate: AwsCustomResource made no ${RESOURCE_TYPE} resource; update RetryableCreate`);
    Aspects.of(stack).add(new CreatedFirst(first, [this, provider]));
    this.acknowledgeFindings(provider);
  }

  private acknowledgeFindings(provider: lambda.Function): void {
    acknowledgeFunctionFindings(provider, 'CloudFormation calls it synchronously for the custom resource');
    acknowledge(
      provider,
      'NIST.800.53.R5-LambdaInsideVPC',
      'It calls only the CloudFormation API, for its own stack, and reaches no private resource; in the VPC it would depend on the network its stack creates after it.',
    );
    acknowledge(
      this.resource.node.tryFindChild('CustomResourcePolicy'),
      'NIST.800.53.R5-IAMNoInlinePolicy',
      'AwsCustomResource writes its one grant (cloudformation:UpdateTerminationProtection on this stack only) as a policy of its own.',
    );
  }
}

/** Makes every resource of the stack outside `chain` depend on `first`. */
class CreatedFirst implements IAspect {
  constructor(
    private readonly first: CfnResource,
    private readonly chain: readonly IConstruct[],
  ) {}

  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node) || node === this.first) return;
    if (node.node.scopes.some((scope) => this.chain.includes(scope))) return;
    node.addResourceDependency(this.first);
  }
}
