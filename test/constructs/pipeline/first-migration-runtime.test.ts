import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { checkFirstMigration, type FirstMigrationEvent, type FirstMigrationProperties, startFirstMigration } from '../../../constructs/pipeline/runtime/first-migration';
import { handler as waitHandler } from '../../../constructs/pipeline/runtime/first-migration-wait.lambda';

const ecs = mockClient(ECSClient);
let clock: Date;
const clients = () => ({ ecs: new ECSClient({ region: 'eu-west-1' }), now: () => clock });

const CLUSTER = 'arn:aws:ecs:eu-west-1:111111111111:cluster/shop-cluster';
const TASK_DEFINITION = 'arn:aws:ecs:eu-west-1:111111111111:task-definition/ShopReleaseMigrationTask:1';
const TASK = 'arn:aws:ecs:eu-west-1:111111111111:task/shop-cluster/0123456789abcdef';
const PROPERTIES: FirstMigrationProperties = {
  Cluster: CLUSTER,
  TaskDefinitionFamily: 'ShopReleaseMigrationTask',
  Subnets: ['subnet-a', 'subnet-b'],
  SecurityGroups: ['sg-migrate'],
  ContainerName: 'migrate',
  LogGroup: 'shop-migration-logs',
  LogStreamPrefix: 'migrate',
  TimeoutMinutes: '30',
};
const create: FirstMigrationEvent = { RequestType: 'Create', ResourceProperties: PROPERTIES };
const started = { ...create, PhysicalResourceId: TASK, Data: { TaskArn: TASK, StartedAt: '2026-12-01T10:00:00.000Z' } };

beforeEach(() => {
  ecs.reset();
  clock = new Date('2026-12-01T10:00:00Z');
});

describe('start (onEvent)', () => {
  test('GIVEN a create WHEN it starts THEN the family\'s active revision runs once on Fargate, in the task subnets, with no public IP', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TASK_DEFINITION } });
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    const result = await startFirstMigration(clients(), create);
    expect(ecs).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: 'ShopReleaseMigrationTask' });
    expect(ecs).toHaveReceivedCommandWith(RunTaskCommand, {
      cluster: CLUSTER,
      taskDefinition: TASK_DEFINITION,
      launchType: 'FARGATE',
      count: 1,
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-migrate'], assignPublicIp: 'DISABLED' } },
    });
    expect(result).toEqual({ PhysicalResourceId: TASK, Data: { TaskArn: TASK, StartedAt: '2026-12-01T10:00:00.000Z' } });
  });

  test('GIVEN RunTask returns failures WHEN it starts THEN the create fails with each reason', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TASK_DEFINITION } });
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:ENI', detail: 'no free address in subnet-a' }] });
    await expect(startFirstMigration(clients(), create)).rejects.toThrow('the first migration did not start: RESOURCE:ENI (no free address in subnet-a)');
  });

  test('GIVEN RunTask is refused WHEN it starts THEN the error fails the create', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TASK_DEFINITION } });
    ecs.on(RunTaskCommand).rejects(new Error('AccessDeniedException: not authorized to perform ecs:RunTask'));
    await expect(startFirstMigration(clients(), create)).rejects.toThrow(/not authorized to perform ecs:RunTask/);
  });

  test.each(['Update', 'Delete'] as const)('GIVEN an %s WHEN it runs THEN nothing is called and the physical id stays', async (RequestType) => {
    const result = await startFirstMigration(clients(), { RequestType, PhysicalResourceId: TASK, ResourceProperties: PROPERTIES });
    expect(result).toEqual({ PhysicalResourceId: TASK, Data: {} });
    expect(ecs.calls()).toHaveLength(0);
  });
});

describe('wait (isComplete)', () => {
  test('GIVEN the task is still running within the timeout WHEN checked THEN not complete, and nothing is stopped', async () => {
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'RUNNING' }] });
    clock = new Date('2026-12-01T10:29:00Z');
    await expect(checkFirstMigration(clients(), started)).resolves.toEqual({ IsComplete: false });
    expect(ecs).toHaveReceivedCommandWith(DescribeTasksCommand, { cluster: CLUSTER, tasks: [TASK] });
    expect(ecs).not.toHaveReceivedCommand(StopTaskCommand);
  });

  test('GIVEN the container exited 0 WHEN checked THEN complete', async () => {
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'STOPPED', containers: [{ name: 'migrate', exitCode: 0 }] }] });
    await expect(checkFirstMigration(clients(), started)).resolves.toEqual({ IsComplete: true, Data: { ExitCode: '0' } });
  });

  test('GIVEN the container exited 1 WHEN checked THEN the create fails with the exit code and the log stream to read', async () => {
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'STOPPED', stoppedReason: 'Essential container in task exited', containers: [{ name: 'migrate', exitCode: 1 }] }] });
    await expect(checkFirstMigration(clients(), started)).rejects.toThrow(
      'the first migration failed: exit code 1 (Essential container in task exited); read log group shop-migration-logs, stream migrate/migrate/0123456789abcdef',
    );
    expect(ecs).not.toHaveReceivedCommand(StopTaskCommand);
  });

  test('GIVEN the task stopped before the command ran WHEN checked THEN the create fails with the stopped reason', async () => {
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [{ taskArn: TASK, lastStatus: 'STOPPED', stoppedReason: 'CannotPullContainerError: pull access denied', containers: [{ name: 'migrate' }] }],
    });
    await expect(checkFirstMigration(clients(), started)).rejects.toThrow(/stopped before the command ran: CannotPullContainerError: pull access denied; read log group shop-migration-logs/);
  });

  test('GIVEN the task runs over the timeout WHEN checked THEN it is stopped and the create fails', async () => {
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'RUNNING' }] });
    ecs.on(StopTaskCommand).resolves({});
    clock = new Date('2026-12-01T10:31:00Z');
    await expect(checkFirstMigration(clients(), started)).rejects.toThrow(/ran over 30 minutes: task .* stopped; read log group shop-migration-logs/);
    expect(ecs).toHaveReceivedCommandWith(StopTaskCommand, { cluster: CLUSTER, task: TASK });
  });

  test('GIVEN the task cannot be described WHEN checked THEN it is stopped (no orphan) and the create fails with the error', async () => {
    ecs.on(DescribeTasksCommand).rejects(new Error('AccessDeniedException: ecs:DescribeTasks'));
    ecs.on(StopTaskCommand).resolves({});
    await expect(checkFirstMigration(clients(), started)).rejects.toThrow(/could not be watched \(AccessDeniedException: ecs:DescribeTasks\): task .* stopped/);
    expect(ecs).toHaveReceivedCommandWith(StopTaskCommand, { cluster: CLUSTER, task: TASK });
  });

  test('GIVEN the stop itself fails WHEN the timeout passes THEN the create still fails with the timeout', async () => {
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'RUNNING' }] });
    ecs.on(StopTaskCommand).rejects(new Error('Throttling'));
    clock = new Date('2026-12-01T11:00:00Z');
    await expect(checkFirstMigration(clients(), started)).rejects.toThrow(/ran over 30 minutes/);
  });

  test.each(['Update', 'Delete'] as const)('GIVEN an %s WHEN checked THEN complete at once', async (RequestType) => {
    await expect(checkFirstMigration(clients(), { RequestType, PhysicalResourceId: TASK, ResourceProperties: PROPERTIES, Data: {} })).resolves.toEqual({ IsComplete: true });
    expect(ecs.calls()).toHaveLength(0);
  });

  test('GIVEN the handler WHEN the migration failed THEN it throws, so the Provider framework fails the create', async () => {
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'STOPPED', containers: [{ name: 'migrate', exitCode: 3 }] }] });
    const log = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await expect(waitHandler(started)).rejects.toThrow(/exit code 3/);
    } finally {
      log.mockRestore();
    }
  });
});
