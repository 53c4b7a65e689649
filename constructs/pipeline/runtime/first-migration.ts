import { DescribeTaskDefinitionCommand, DescribeTasksCommand, type ECSClient, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { startMigrationTask } from './migration-task';

/** The custom resource's properties, as CloudFormation passes them (numbers arrive as strings). */
export interface FirstMigrationProperties {
  readonly Cluster: string;
  /** The migration task definition's family: its latest ACTIVE revision is the one this stack created. */
  readonly TaskDefinitionFamily: string;
  readonly Subnets: string[];
  readonly SecurityGroups: string[];
  readonly ContainerName: string;
  /** Where the migration's output goes, named in every failure. */
  readonly LogGroup: string;
  /** The awslogs stream prefix of the container (streams are `<prefix>/<container>/<task id>`). */
  readonly LogStreamPrefix: string;
  readonly TimeoutMinutes: string;
}

/** The part of the Provider framework's onEvent request used here. */
export interface FirstMigrationEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: FirstMigrationProperties;
}

/** What onEvent answers; the framework hands it to every isComplete call, merged into the request. */
export interface FirstMigrationStarted {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly TaskArn?: string; readonly StartedAt?: string };
}

export type FirstMigrationCheck = FirstMigrationEvent & Partial<FirstMigrationStarted>;

export interface FirstMigrationResult {
  readonly IsComplete: boolean;
  readonly Data?: Record<string, string>;
}

export interface FirstMigrationClients {
  readonly ecs: ECSClient;
  readonly now: () => Date;
}

/** The physical id of a resource whose create ran nothing (Update and Delete keep the id they have). */
const NOTHING_RUN = 'shipshape-first-migration';

/**
 * onEvent: on Create, starts the migration task on the stack's first image; on Update and Delete,
 * nothing (the release pipeline migrates before every release). RunTask failures fail the create.
 */
export async function startFirstMigration(clients: FirstMigrationClients, event: FirstMigrationEvent): Promise<FirstMigrationStarted> {
  if (event.RequestType !== 'Create') return { PhysicalResourceId: event.PhysicalResourceId ?? NOTHING_RUN, Data: {} };
  const p = event.ResourceProperties;
  const described = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: p.TaskDefinitionFamily }));
  const taskDefinition = described.taskDefinition?.taskDefinitionArn;
  if (!taskDefinition) throw new Error(`the first migration did not start: task definition family ${p.TaskDefinitionFamily} has no active revision`);
  const started = await startMigrationTask(clients.ecs, { cluster: p.Cluster, taskDefinition, subnets: p.Subnets, securityGroups: p.SecurityGroups, startedBy: 'shipshape-first-deploy' });
  if ('failure' in started) throw new Error(`the first migration did not start: ${started.failure || 'RunTask returned no task and no failure'}`);
  const { taskArn } = started;
  return { PhysicalResourceId: taskArn, Data: { TaskArn: taskArn, StartedAt: clients.now().toISOString() } };
}

/**
 * isComplete: done when the task stopped with exit code 0. A task that stopped otherwise fails the
 * create with its exit code or stopped reason and where its log is; a task that runs over the
 * timeout is stopped first, as on any error here, so a failed create leaves no task behind.
 */
export async function checkFirstMigration(clients: FirstMigrationClients, event: FirstMigrationCheck): Promise<FirstMigrationResult> {
  const taskArn = event.Data?.TaskArn;
  if (event.RequestType !== 'Create' || !taskArn) return { IsComplete: true };
  const p = event.ResourceProperties;
  const log = `log group ${p.LogGroup}, stream ${p.LogStreamPrefix}/${p.ContainerName}/${taskArn.split('/').pop()}`;
  let task: Task | undefined;
  try {
    task = (await clients.ecs.send(new DescribeTasksCommand({ cluster: p.Cluster, tasks: [taskArn] }))).tasks?.[0];
  } catch (error) {
    await stop(clients, p, taskArn, 'could not be watched');
    throw new Error(`the first migration could not be watched (${(error as Error).message}): task ${taskArn} stopped; ${log}`, { cause: error });
  }
  if (task?.lastStatus === 'STOPPED') {
    const container = task.containers?.find((c) => c.name === p.ContainerName);
    if (container?.exitCode === 0) return { IsComplete: true, Data: { ExitCode: '0' } };
    const why =
      container?.exitCode === undefined
        ? `the task stopped before the command ran: ${task.stoppedReason ?? container?.reason ?? 'no reason given'}`
        : `exit code ${container.exitCode}${task.stoppedReason ? ` (${task.stoppedReason})` : ''}`;
    throw new Error(`the first migration failed: ${why}; read ${log}`);
  }
  const timeoutMinutes = Number(p.TimeoutMinutes);
  const since = event.Data?.StartedAt ? new Date(event.Data.StartedAt) : clients.now();
  if ((clients.now().getTime() - since.getTime()) / 60_000 > timeoutMinutes) {
    await stop(clients, p, taskArn, `ran over ${timeoutMinutes} minutes`);
    throw new Error(`the first migration ran over ${timeoutMinutes} minutes: task ${taskArn} stopped; read ${log}`);
  }
  return { IsComplete: false };
}

/** Stops the task, best effort: the create fails either way, with the error that led here. */
async function stop(clients: FirstMigrationClients, p: FirstMigrationProperties, taskArn: string, why: string): Promise<void> {
  try {
    await clients.ecs.send(new StopTaskCommand({ cluster: p.Cluster, task: taskArn, reason: `shipshape first deploy: the migration ${why}` }));
  } catch {
    // The error that led here is the one to report.
  }
}
