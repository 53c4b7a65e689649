/** The settings that decide how fast a failed task leaves rotation and a new one enters it. */
export interface HealthCheckTiming {
  /** Seconds between ALB health checks of one target. */
  readonly intervalSeconds: number;
  /** Seconds an ALB health check waits for an answer. */
  readonly timeoutSeconds: number;
  /** Consecutive failures before a target is unhealthy. */
  readonly unhealthyThreshold: number;
  /** Consecutive successes before a target is healthy. */
  readonly healthyThreshold: number;
}

/**
 * Worst case, in seconds, from a task dying to its ALB target being out of rotation: the task
 * dies just after a passing check, so `unhealthyThreshold` checks must fail, one `interval` apart,
 * and the last one may wait its full `timeout` (a hung task; a dead one refuses at once).
 */
export function secondsUntilOutOfRotation(t: HealthCheckTiming): number {
  return t.unhealthyThreshold * t.intervalSeconds + t.timeoutSeconds;
}

/**
 * Worst case, in seconds, from a new task first answering to its target receiving traffic:
 * it starts answering just after a check, then `healthyThreshold` checks must pass.
 */
export function secondsUntilInRotation(t: HealthCheckTiming): number {
  return t.healthyThreshold * t.intervalSeconds;
}
