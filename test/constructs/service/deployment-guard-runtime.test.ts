import { CloudFormationClient, DescribeStacksCommand, type StackStatus } from '@aws-sdk/client-cloudformation';
import { ECSClient, ListServiceDeploymentsCommand, ListServicesCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ACTIVE_DEPLOYMENT_STATUSES, type DeploymentGuardEvent, guardDeployment } from '../../../constructs/service/runtime/deployment-guard';
import { handler } from '../../../constructs/service/runtime/deployment-guard.lambda';

const cfn = mockClient(CloudFormationClient);
const ecs = mockClient(ECSClient);
const clients = () => ({ cloudformation: new CloudFormationClient({ region: 'eu-west-1' }), ecs: new ECSClient({ region: 'eu-west-1' }) });

const STACK = 'arn:aws:cloudformation:eu-west-1:111111111111:stack/shop-stateless/0f1e2d3c';
const CLUSTER = 'arn:aws:ecs:eu-west-1:111111111111:cluster/shop-cluster';
const SERVICE = 'arn:aws:ecs:eu-west-1:111111111111:service/shop-cluster/shop-web';
const DEPLOYMENT = 'arn:aws:ecs:eu-west-1:111111111111:service-deployment/shop-cluster/shop-web/AbCdEf0123';
const update: DeploymentGuardEvent = {
  RequestType: 'Update',
  StackId: STACK,
  PhysicalResourceId: 'shipshape-deployment-guard',
  ResourceProperties: { Cluster: CLUSTER, Definition: 'b'.repeat(64) },
};
const stackIs = (StackStatus: StackStatus) => cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'shop-stateless', StackStatus, CreationTime: new Date() }] });

beforeEach(() => {
  cfn.reset();
  ecs.reset();
});

test('GIVEN an update WHEN the cluster has no service THEN it passes', async () => {
  stackIs('UPDATE_IN_PROGRESS');
  ecs.on(ListServicesCommand).resolves({ serviceArns: [] });
  await expect(guardDeployment(clients(), update)).resolves.toEqual({ PhysicalResourceId: 'shipshape-deployment-guard', Data: { Outcome: 'no deployment running: the update may change the service' } });
  expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: STACK });
  expect(ecs).toHaveReceivedCommandWith(ListServicesCommand, { cluster: CLUSTER });
  expect(ecs).not.toHaveReceivedCommand(ListServiceDeploymentsCommand);
});

test('GIVEN an update WHEN the service has no running deployment THEN it passes, having asked for the running and baking statuses only', async () => {
  stackIs('UPDATE_IN_PROGRESS');
  ecs.on(ListServicesCommand).resolves({ serviceArns: [SERVICE] });
  ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
  await guardDeployment(clients(), update);
  expect(ecs).toHaveReceivedCommandWith(ListServiceDeploymentsCommand, {
    cluster: CLUSTER,
    service: SERVICE,
    status: ['PENDING', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED'],
  });
  expect(ACTIVE_DEPLOYMENT_STATUSES).not.toContain('SUCCESSFUL');
});

test('GIVEN a deployment IN_PROGRESS WHEN the update comes THEN it is refused, naming the deployment, its status, its start and what to do', async () => {
  stackIs('UPDATE_IN_PROGRESS');
  ecs.on(ListServicesCommand).resolves({ serviceArns: [SERVICE] });
  ecs.on(ListServiceDeploymentsCommand).resolves({
    serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, serviceArn: SERVICE, status: 'IN_PROGRESS', startedAt: new Date('2026-12-01T10:00:00Z') }],
  });
  const refused = guardDeployment(clients(), update);
  await expect(refused).rejects.toThrow(`service shop-web has deployment ${DEPLOYMENT} IN_PROGRESS since 2026-12-01T10:00:00.000Z`);
  await expect(refused).rejects.toThrow(/npx shipshape status.*npx shipshape rollback/);
});

test('GIVEN services on several pages WHEN one on the second page is rolling back THEN the update is refused', async () => {
  stackIs('UPDATE_IN_PROGRESS');
  const other = SERVICE.replace('shop-web', 'shop-worker');
  ecs.on(ListServicesCommand).resolvesOnce({ serviceArns: [other], nextToken: 'page-2' }).resolvesOnce({ serviceArns: [SERVICE] });
  ecs.on(ListServiceDeploymentsCommand, { service: other }).resolves({ serviceDeployments: [] });
  ecs.on(ListServiceDeploymentsCommand, { service: SERVICE }).resolves({
    serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, serviceArn: SERVICE, status: 'ROLLBACK_IN_PROGRESS', createdAt: new Date('2026-12-01T10:00:00Z') }],
  });
  await expect(guardDeployment(clients(), update)).rejects.toThrow(/ROLLBACK_IN_PROGRESS since 2026-12-01T10:00:00.000Z/);
  expect(ecs).toHaveReceivedCommandWith(ListServicesCommand, { cluster: CLUSTER, nextToken: 'page-2' });
});

test.each(['UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'IMPORT_ROLLBACK_IN_PROGRESS'] as StackStatus[])(
  'GIVEN the stack is %s WHEN CloudFormation calls Update with the old properties THEN it passes without looking at deployments',
  async (status) => {
    stackIs(status);
    ecs.on(ListServicesCommand).resolves({ serviceArns: [SERVICE] });
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, status: 'IN_PROGRESS' }] });
    await expect(guardDeployment(clients(), update)).resolves.toMatchObject({ Data: { Outcome: `stack ${status}: a rollback is never refused` } });
    expect(ecs.calls()).toHaveLength(0);
  },
);

test('GIVEN the stack status cannot be read WHEN the update comes THEN it passes (a refused rollback would end in UPDATE_ROLLBACK_FAILED)', async () => {
  cfn.on(DescribeStacksCommand).rejects(new Error('AccessDenied'));
  await expect(guardDeployment(clients(), update)).resolves.toMatchObject({ Data: { Outcome: 'stack status unknown: a rollback is never refused' } });
  expect(ecs.calls()).toHaveLength(0);
});

test('GIVEN ListServiceDeployments is denied WHEN the update comes THEN it fails, saying which call and why', async () => {
  stackIs('UPDATE_IN_PROGRESS');
  ecs.on(ListServicesCommand).resolves({ serviceArns: [SERVICE] });
  const denied = Object.assign(new Error('User is not authorized to perform: ecs:ListServiceDeployments'), { name: 'AccessDeniedException' });
  ecs.on(ListServiceDeploymentsCommand).rejects(denied);
  await expect(guardDeployment(clients(), update)).rejects.toThrow(
    `the deployment guard could not list the deployments of ${SERVICE} (AccessDeniedException: User is not authorized to perform: ecs:ListServiceDeployments); the update is refused until it can`,
  );
});

test.each(['Create', 'Delete'] as const)('GIVEN a %s WHEN it comes THEN it passes without a call', async (RequestType) => {
  await expect(guardDeployment(clients(), { ...update, RequestType, PhysicalResourceId: RequestType === 'Create' ? undefined : update.PhysicalResourceId })).resolves.toEqual({
    PhysicalResourceId: 'shipshape-deployment-guard',
    Data: { Outcome: `${RequestType}: nothing to check` },
  });
  expect(cfn.calls()).toHaveLength(0);
  expect(ecs.calls()).toHaveLength(0);
});

test('GIVEN the handler WHEN the update is refused THEN it throws, so the Provider framework fails the update with the message', async () => {
  stackIs('UPDATE_IN_PROGRESS');
  ecs.on(ListServicesCommand).resolves({ serviceArns: [SERVICE] });
  ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, serviceArn: SERVICE, status: 'PENDING', createdAt: new Date() }] });
  const log = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await expect(handler(update)).rejects.toThrow(/PENDING since/);
  } finally {
    log.mockRestore();
  }
});
