import {
  DescribeServiceDeploymentsCommand,
  type ECSClient,
  ListServiceDeploymentsCommand,
  type ServiceDeploymentBrief,
  type ServiceDeploymentStatus,
  StopServiceDeploymentCommand,
} from '@aws-sdk/client-ecs';

/**
 * What CloudWatch sends EventBridge when an alarm changes state (the fields used here)
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html).
 */
export interface AlarmStateChangeEvent {
  readonly id?: string;
  readonly source?: string;
  readonly 'detail-type'?: string;
  readonly time?: string;
  readonly resources?: readonly string[];
  readonly detail?: {
    readonly alarmName?: string;
    readonly state?: { readonly value?: string; readonly timestamp?: string };
    readonly previousState?: { readonly value?: string };
  };
}

/** The one service whose deployments the function may stop. */
export interface RollbackTarget {
  readonly serviceArn: string;
  /** The service's cluster, name or ARN. */
  readonly cluster: string;
}

export type RollbackOutcome =
  | { readonly action: 'stopped'; readonly alarm: string; readonly deployment: string; readonly status: string }
  | {
      readonly action: 'none';
      readonly alarm: string;
      readonly reason: 'not-in-alarm' | 'no-deployment' | 'already-rolling-back' | 'alarm-before-deployment' | 'finished-before-stop';
      readonly deployment?: string;
    };

/**
 * A deployment that is running and may be stopped with rollback: PENDING and IN_PROGRESS, which
 * includes a blue/green bake (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stop-service-deployment.html).
 */
const STOPPABLE: ServiceDeploymentStatus[] = ['IN_PROGRESS', 'PENDING'];
/** Already being stopped or rolled back: by ECS's own alarm watching, the CLI or another alarm's invocation. */
const STOPPING: ServiceDeploymentStatus[] = ['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED'];
/** Ended without going live (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html). */
const ENDED_BACK: ServiceDeploymentStatus[] = ['ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED', 'STOPPED'];

/** When the alarm went to ALARM: the state's own timestamp (`2019-10-02T17:04:40.985+0000`), else the event's time. */
export function alarmChangedAt(event: AlarmStateChangeEvent): Date | undefined {
  for (const text of [event.detail?.state?.timestamp, event.time]) {
    const at = text ? new Date(text) : undefined;
    if (at && !Number.isNaN(at.getTime())) return at;
  }
  return undefined;
}

/**
 * A rollback alarm went to ALARM: stop the service's running deployment with ROLLBACK, the call
 * `shipshape rollback` makes, so traffic flips back to the previous revision and a CloudFormation
 * update that started the deployment fails and rolls the stack back (the template keeps describing
 * what runs). Never anything else: no deployment running, one already stopping or rolling back, an
 * alarm that was in ALARM before the deployment was created (ECS's own alarm watching ignores those
 * too), or another service's deployment are each left alone. Safe to run twice for the same event
 * and for two alarms at once: the second finds the deployment stopping, or ECS refuses its stop and
 * the deployment is then found stopping. Any other failure is thrown, for the invocation to be retried.
 */
export async function rollBackOnAlarm(ecs: ECSClient, target: RollbackTarget, event: AlarmStateChangeEvent): Promise<RollbackOutcome> {
  const alarm = event.detail?.alarmName ?? event.resources?.[0] ?? 'unknown alarm';
  if (event.detail?.state?.value !== 'ALARM') return { action: 'none', alarm, reason: 'not-in-alarm' };
  const listed = await ecs.send(new ListServiceDeploymentsCommand({ cluster: target.cluster, service: target.serviceArn, status: [...STOPPABLE, ...STOPPING] }));
  const ours = (listed.serviceDeployments ?? []).filter((d) => d.serviceArn === undefined || d.serviceArn === target.serviceArn);
  const stopping = ours.find((d) => STOPPING.includes(d.status as ServiceDeploymentStatus));
  if (stopping) return { action: 'none', alarm, reason: 'already-rolling-back', deployment: stopping.serviceDeploymentArn };
  const running = STOPPABLE.map((status) => ours.find((d) => d.status === status)).find((d) => d !== undefined);
  if (!running?.serviceDeploymentArn) return { action: 'none', alarm, reason: 'no-deployment' };
  const deployment = running.serviceDeploymentArn;
  const changedAt = alarmChangedAt(event);
  if (changedAt && running.createdAt && changedAt.getTime() < running.createdAt.getTime()) {
    return { action: 'none', alarm, reason: 'alarm-before-deployment', deployment };
  }
  try {
    await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: deployment, stopType: 'ROLLBACK' }));
    return { action: 'stopped', alarm, deployment, status: running.status ?? 'UNKNOWN' };
  } catch (error) {
    return afterRefusedStop(ecs, running, alarm, error);
  }
}

/** ECS refused the stop: fine if the deployment is already stopping or ended back; otherwise the error stands. */
async function afterRefusedStop(ecs: ECSClient, running: ServiceDeploymentBrief, alarm: string, error: unknown): Promise<RollbackOutcome> {
  const deployment = running.serviceDeploymentArn as string;
  const described = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [deployment] }));
  const status = described.serviceDeployments?.[0]?.status;
  if (status && [...STOPPING, ...ENDED_BACK].includes(status)) return { action: 'none', alarm, reason: 'already-rolling-back', deployment };
  if (status === 'SUCCESSFUL') return { action: 'none', alarm, reason: 'finished-before-stop', deployment };
  throw error;
}
