import { type ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';

/** Where and how a one-off migration task runs: Fargate, private subnets, no public address. */
export interface MigrationTaskRun {
  readonly cluster: string;
  /** The task definition ARN (a revision) or family. */
  readonly taskDefinition: string;
  readonly subnets: string[];
  readonly securityGroups: string[];
  /** Shows who started the task in the ECS console and API (`startedBy`). */
  readonly startedBy: string;
}

/** Starts the migration task: its ARN, or why ECS did not start it (RunTask's failures). */
export async function startMigrationTask(ecs: ECSClient, run: MigrationTaskRun): Promise<{ readonly taskArn: string } | { readonly failure: string }> {
  const started = await ecs.send(
    new RunTaskCommand({
      cluster: run.cluster,
      taskDefinition: run.taskDefinition,
      launchType: 'FARGATE',
      count: 1,
      startedBy: run.startedBy,
      networkConfiguration: { awsvpcConfiguration: { subnets: run.subnets, securityGroups: run.securityGroups, assignPublicIp: 'DISABLED' } },
    }),
  );
  const taskArn = started.tasks?.[0]?.taskArn;
  if (taskArn) return { taskArn };
  return { failure: started.failures?.map((f) => `${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}`).join('; ') ?? '' };
}
