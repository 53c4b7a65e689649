/**
 * How long after a bad release starts serving traffic an alarm goes off, and traffic is back on
 * the old revision. Where AWS does not document a lag, the figure here is an assumption (listed in
 * docs/aws-behaviour.md, with the documented facts around it) and is printed with every figure.
 */
export const ROLLBACK_LAGS = {
  /** A standard (60 s) metric datapoint is available this long after its period ends (assumed). */
  publishSeconds: 60,
  /** A high-resolution (10 s) datapoint is available this long after its period ends (assumed). */
  highResolutionPublishSeconds: 10,
  /**
   * A high-resolution alarm (period 10, 20 or 30 s) is evaluated every 10 s, others every minute
   * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html).
   */
  highResolutionEvaluationSeconds: 10,
  evaluationSeconds: 60,
  /** ECS notices a deployment alarm in ALARM within this long (assumed): its own alarm watching. */
  ecsPollingSeconds: 30,
  /**
   * The alarm's state-change event reaches the rule's target (assumed). CloudWatch guarantees the
   * event's delivery to EventBridge, not its latency
   * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html).
   */
  eventDeliverySeconds: 5,
  /**
   * The rollback function starts cold and makes its ECS calls (ListServiceDeployments,
   * StopServiceDeployment) (assumed; the init phase alone may take up to 10 s:
   * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
   */
  functionSeconds: 5,
  /** ECS starts the rollback and flips the listener weights back (no task restarts) (assumed). */
  flipSeconds: 10,
} as const;

/** The settings of one rollback alarm that decide its speed. */
export interface AlarmSpeed {
  /** The alarm's period, seconds: 10, 20, 30 or a multiple of 60. */
  readonly periodSeconds: number;
  /** Breaching datapoints needed (M of "M out of N"). */
  readonly datapointsToAlarm: number;
}

/** How a deployment is stopped once its alarm is in ALARM. */
export enum RollbackPath {
  /** The alarm's state-change event invokes a function that stops the deployment (`AlarmRollback`). */
  ALARM_EVENT = 'alarm-event',
  /** ECS's own deployment alarm watching (`deploymentAlarms`), which polls. */
  ECS_POLLING = 'ecs-polling',
}

/** Whether CloudWatch treats an alarm of this period as high-resolution. */
export function isHighResolution(alarm: AlarmSpeed): boolean {
  return alarm.periodSeconds < 60;
}

/**
 * Worst case from the first bad request to ALARM: M full periods of bad data, the last one
 * published after its lag, then one evaluation cycle (every 10 s for high-resolution alarms,
 * every minute otherwise).
 */
export function detectionSeconds(alarm: AlarmSpeed): number {
  const high = isHighResolution(alarm);
  const publish = high ? ROLLBACK_LAGS.highResolutionPublishSeconds : ROLLBACK_LAGS.publishSeconds;
  const evaluation = high ? ROLLBACK_LAGS.highResolutionEvaluationSeconds : ROLLBACK_LAGS.evaluationSeconds;
  return alarm.datapointsToAlarm * alarm.periodSeconds + publish + evaluation;
}

/** From ALARM to production traffic back on the old revision, by each path. */
export function reactionSeconds(path: RollbackPath): number {
  return path === RollbackPath.ALARM_EVENT
    ? ROLLBACK_LAGS.eventDeliverySeconds + ROLLBACK_LAGS.functionSeconds + ROLLBACK_LAGS.flipSeconds
    : ROLLBACK_LAGS.ecsPollingSeconds + ROLLBACK_LAGS.flipSeconds;
}

/**
 * Worst case from the first bad request to production traffic back on the old revision.
 * @param path how the deployment is stopped. @default RollbackPath.ECS_POLLING
 */
export function secondsUntilRolledBack(alarm: AlarmSpeed, path: RollbackPath = RollbackPath.ECS_POLLING): number {
  return detectionSeconds(alarm) + reactionSeconds(path);
}

/**
 * The targets a rollback is held to: 60 s on a high-resolution (10 s) metric, 3 minutes on the
 * load balancer's one-minute metrics.
 */
export function rollbackTargetSeconds(alarm: AlarmSpeed): number {
  return isHighResolution(alarm) ? 60 : 180;
}

/** The arithmetic of one rollback figure, as printed: each term, the total and the target. */
export function describeRollback(alarm: AlarmSpeed, path: RollbackPath): string {
  const high = isHighResolution(alarm);
  const publish = high ? ROLLBACK_LAGS.highResolutionPublishSeconds : ROLLBACK_LAGS.publishSeconds;
  const evaluation = high ? ROLLBACK_LAGS.highResolutionEvaluationSeconds : ROLLBACK_LAGS.evaluationSeconds;
  const reaction =
    path === RollbackPath.ALARM_EVENT
      ? `${ROLLBACK_LAGS.eventDeliverySeconds} s event delivery + ${ROLLBACK_LAGS.functionSeconds} s rollback function + ${ROLLBACK_LAGS.flipSeconds} s ECS rollback and flip`
      : `${ROLLBACK_LAGS.ecsPollingSeconds} s ECS alarm polling + ${ROLLBACK_LAGS.flipSeconds} s ECS rollback and flip`;
  const total = secondsUntilRolledBack(alarm, path);
  const target = rollbackTargetSeconds(alarm);
  const verdict = total <= target ? `met, ${target - total} s spare` : `missed by ${total - target} s`;
  return `${alarm.datapointsToAlarm} x ${alarm.periodSeconds} s + ${publish} s publish + ${evaluation} s evaluation + ${reaction} = ${total} s; target ${target} s: ${verdict}`;
}
