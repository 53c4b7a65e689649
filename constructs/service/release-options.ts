import type { Duration } from 'aws-cdk-lib';

/** How a new task definition reaches production. */
export enum ReleaseStrategy {
  /**
   * ECS native blue/green: the new revision starts beside the old one, answers a smoke test on
   * the test route, takes all production traffic at once, and bakes; an alarm or a failed smoke
   * test flips traffic back with no task restart.
   */
  BLUE_GREEN = 'blue-green',
  /** Rolling replacement with 100% healthy capacity kept, stopped and rolled back by the circuit breaker. */
  ROLLING = 'rolling',
}

/** The pre-traffic smoke test: the new revision must answer before production traffic moves. */
export interface SmokeTestOptions {
  /**
   * The path requested through the test route.
   * @default - the health check path
   */
  readonly path?: string;
  /**
   * The status a healthy new revision answers (100-599).
   * @default 200
   */
  readonly expectedStatus?: number;
  /**
   * Requests made before the test fails (1-10); one correct answer passes.
   * @default 3
   */
  readonly attempts?: number;
  /**
   * How long one request may take (1-30 s).
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;
  /**
   * Pause between attempts (0-60 s).
   * @default Duration.seconds(5)
   */
  readonly retryDelay?: Duration;
}

/** `SmokeTestOptions` with the defaults applied. */
export interface ResolvedSmokeTest {
  readonly path: string;
  readonly expectedStatus: number;
  readonly attempts: number;
  readonly timeoutSeconds: number;
  readonly retryDelaySeconds: number;
}

/** The longest a smoke test can take: every attempt times out, with the pauses between them. */
export function smokeTestWorstCaseSeconds(t: ResolvedSmokeTest): number {
  return t.attempts * t.timeoutSeconds + (t.attempts - 1) * t.retryDelaySeconds;
}
