import { type CfnResource, CustomResource, Lazy, Stack } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { acknowledge, acknowledgeWildcards } from '../private/acknowledge';
import { encryptedLogGroup } from '../private/encryption';
import { acknowledgeFunctionFindings, acknowledgeProviderFindings, shipshapeFunction } from '../private/node-function';

export interface DeploymentGuardProps {
  /** The guarded service; it is made to depend on the guard (the guard never references it). */
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.TaskDefinition;
  /** Encrypts the function's logs and environment; must allow CloudWatch Logs. */
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/** A resource as the template will hold it (CDK's own `Function.currentVersion` hashes the same way). */
function resolvedTemplateOf(resource: CfnResource): unknown {
  return Stack.of(resource).resolve((resource as unknown as { _toCloudFormation(): unknown })._toCloudFormation());
}

/**
 * Refuses a `cdk deploy` that would change a blue/green service while an ECS deployment of it is
 * running or baking, before CloudFormation touches the service: a custom resource the service
 * depends on, whose `Definition` property is a hash of the service's and its task definition's
 * resolved template. It changes exactly when either does; parameters stay `Ref`s in the hash, so a
 * release (an image version parameter change) leaves the guard alone.
 *
 * An update of the guard lists the deployments of the cluster's services and fails, with what to do,
 * when one is PENDING, IN_PROGRESS, ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS or STOP_REQUESTED;
 * CloudFormation then rolls the update back. It never fails while the stack rolls back.
 */
export class DeploymentGuard extends Construct {
  public readonly resource: CustomResource;
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: DeploymentGuardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const cluster = props.service.cluster;
    this.function = shipshapeFunction(this, 'Check', {
      entry: path.join(__dirname, 'runtime', 'deployment-guard.lambda.ts'),
      description: 'shipshape deployment guard: refuses a service change while a deployment of it runs or bakes',
      key: props.key,
      logRetention: props.logRetention,
    });
    const clusterCondition = { ArnEquals: { 'ecs:cluster': cluster.clusterArn } };
    // ListServices has no resource-level permissions; the condition keeps it to this cluster.
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:ListServices'], resources: ['*'], conditions: clusterCondition }));
    const services = stack.formatArn({ service: 'ecs', resource: 'service', resourceName: `${cluster.clusterName}/*` });
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:ListServiceDeployments'], resources: [services], conditions: clusterCondition }));
    const stackArn = stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stack.stackName}/*` });
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [stackArn] }));

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.function,
      logGroup: encryptedLogGroup(this, 'ProviderLogs', { key: props.key, retention: props.logRetention }),
    });
    const serviceResource = props.service.node.defaultChild as CfnResource;
    const taskResource = props.taskDefinition.node.defaultChild as CfnResource;
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::ShipshapeDeploymentGuard',
      properties: {
        Cluster: cluster.clusterArn,
        // Uncached: computed when the template is written, after every change to the two resources.
        Definition: Lazy.uncachedString({
          produce: () => createHash('sha256').update(JSON.stringify([resolvedTemplateOf(taskResource), resolvedTemplateOf(serviceResource)])).digest('hex'),
        }),
      },
    });
    props.service.node.addDependency(this.resource);
    this.acknowledgeFindings(provider, services, stackArn);
  }

  private acknowledgeFindings(provider: cr.Provider, services: string, stackArn: string): void {
    acknowledgeFunctionFindings(this.function, 'CloudFormation calls it synchronously through the Provider framework');
    acknowledge(this.function, 'NIST.800.53.R5-LambdaInsideVPC', 'It calls only the ECS and CloudFormation APIs; it reaches nothing in the VPC.');
    acknowledgeProviderFindings(provider, this.function);
    const policy = this.function.role?.node.tryFindChild('DefaultPolicy');
    acknowledge(policy, 'AwsSolutions-IAM5[Resource::*]', 'ecs:ListServices has no resource-level permissions; the ecs:cluster condition limits it to this cluster.');
    acknowledgeWildcards(
      policy,
      [services],
      'The guard cannot name the service (the service depends on it): it lists the deployments of this one cluster\'s services.',
    );
    acknowledgeWildcards(policy, [stackArn], 'The wildcard is the stack id suffix of this one stack, whose status the guard reads.');
  }
}
