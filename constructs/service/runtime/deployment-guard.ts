import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { type ECSClient, ListServiceDeploymentsCommand, ListServicesCommand, type ServiceDeploymentBrief, type ServiceDeploymentStatus } from '@aws-sdk/client-ecs';

/**
 * The statuses of a service deployment that is still running or baking
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html).
 */
export const ACTIVE_DEPLOYMENT_STATUSES: ServiceDeploymentStatus[] = ['PENDING', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED'];

/** The custom resource's properties. `Definition` changes exactly when the service's definition does. */
export interface DeploymentGuardProperties {
  readonly Cluster: string;
  readonly Definition: string;
}

/** The part of the custom resource request used here. */
export interface DeploymentGuardEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly StackId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: DeploymentGuardProperties;
}

export interface DeploymentGuardResult {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly Outcome: string };
}

export interface DeploymentGuardClients {
  readonly cloudformation: CloudFormationClient;
  readonly ecs: ECSClient;
}

export const GUARD_PHYSICAL_ID = 'shipshape-deployment-guard';

/**
 * Refuses a stack update that would change the service while one of the cluster's services has a
 * deployment running or baking; lets every Create, Delete and rollback through.
 *
 * During a stack rollback CloudFormation calls Update again with the old properties: refusing it
 * would leave the stack in UPDATE_ROLLBACK_FAILED, so the guard reads its stack's status first and
 * passes whenever it is rolling back, or cannot be read.
 */
export async function guardDeployment(clients: DeploymentGuardClients, event: DeploymentGuardEvent): Promise<DeploymentGuardResult> {
  const id = event.PhysicalResourceId ?? GUARD_PHYSICAL_ID;
  if (event.RequestType !== 'Update') return { PhysicalResourceId: id, Data: { Outcome: `${event.RequestType}: nothing to check` } };
  const status = await stackStatus(clients, event.StackId);
  if (status === undefined || status.includes('ROLLBACK')) {
    return { PhysicalResourceId: id, Data: { Outcome: `stack ${status ?? 'status unknown'}: a rollback is never refused` } };
  }
  const running = await activeDeployments(clients, event.ResourceProperties.Cluster);
  if (running.length > 0) throw new Error(refusal(running[0]));
  return { PhysicalResourceId: id, Data: { Outcome: 'no deployment running: the update may change the service' } };
}

async function stackStatus(clients: DeploymentGuardClients, stackId: string): Promise<string | undefined> {
  try {
    return (await clients.cloudformation.send(new DescribeStacksCommand({ StackName: stackId }))).Stacks?.[0]?.StackStatus;
  } catch {
    // Unknown is treated as a rollback: a missed refusal is recoverable, UPDATE_ROLLBACK_FAILED is not.
    return undefined;
  }
}

/** The running or baking deployments of every service of the cluster (the guard cannot name its service: the service depends on it). */
async function activeDeployments(clients: DeploymentGuardClients, cluster: string): Promise<ServiceDeploymentBrief[]> {
  const found: ServiceDeploymentBrief[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.ecs.send(new ListServicesCommand({ cluster, nextToken }));
    for (const service of page.serviceArns ?? []) {
      try {
        const listed = await clients.ecs.send(new ListServiceDeploymentsCommand({ cluster, service, status: ACTIVE_DEPLOYMENT_STATUSES }));
        found.push(...(listed.serviceDeployments ?? []));
      } catch (error) {
        throw new Error(`the deployment guard could not list the deployments of ${service} (${(error as Error).name}: ${(error as Error).message}); the update is refused until it can`, { cause: error });
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

function refusal(deployment: ServiceDeploymentBrief): string {
  const service = deployment.serviceArn?.split('/').pop() ?? 'the service';
  const since = (deployment.startedAt ?? deployment.createdAt)?.toISOString() ?? 'an unknown time';
  return (
    `refused: service ${service} has deployment ${deployment.serviceDeploymentArn ?? 'unknown'} ${deployment.status ?? 'running'} since ${since} ` +
    '(a release running or baking, or its rollback). Changing the service now would cut it short. ' +
    'Watch it with `npx shipshape status` and deploy again when it has ended, or roll it back with `npx shipshape rollback`. ' +
    'CloudFormation rolls this update back; the service was not touched.'
  );
}
