/**
 * How long after a bad release starts serving traffic an alarm goes off, and traffic is back on
 * the old revision. The lags are assumptions (listed in docs/aws-behaviour.md): AWS does not
 * document them, so they are named here and printed with every figure.
 */
export const ROLLBACK_LAGS = {
  /** A standard (60 s) metric datapoint is available this long after its period ends. */
  publishSeconds: 60,
  /** A high-resolution (10 s) datapoint is available this long after its period ends. */
  highResolutionPublishSeconds: 10,
  /** ECS notices an alarm in ALARM within this long. */
  ecsPollingSeconds: 30,
  /** The listener weight flip back to the old revision (no task restarts). */
  flipSeconds: 10,
} as const;

/** The settings of one rollback alarm that decide its speed. */
export interface AlarmSpeed {
  /** The alarm's period, seconds: 10, 20, 30 or a multiple of 60. */
  readonly periodSeconds: number;
  /** Breaching datapoints needed (M of "M out of N"). */
  readonly datapointsToAlarm: number;
}

/**
 * Worst case from the first bad request to ALARM: M full periods of bad data, the last one
 * published after its lag, then one evaluation cycle (every 10 s for high-resolution alarms,
 * every minute otherwise).
 */
export function detectionSeconds(alarm: AlarmSpeed): number {
  const highResolution = alarm.periodSeconds < 60;
  const publish = highResolution ? ROLLBACK_LAGS.highResolutionPublishSeconds : ROLLBACK_LAGS.publishSeconds;
  const evaluation = highResolution ? 10 : 60;
  return alarm.datapointsToAlarm * alarm.periodSeconds + publish + evaluation;
}

/** Worst case from the first bad request to production traffic back on the old revision. */
export function secondsUntilRolledBack(alarm: AlarmSpeed): number {
  return detectionSeconds(alarm) + ROLLBACK_LAGS.ecsPollingSeconds + ROLLBACK_LAGS.flipSeconds;
}
