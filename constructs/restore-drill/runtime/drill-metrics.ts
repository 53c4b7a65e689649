/** The namespace of every metric a restore drill publishes. */
export const DRILL_NAMESPACE = 'shipshape/RestoreDrill';

/**
 * The `service` dimension of every drill metric. Powertools Metrics adds `service` (its
 * `serviceName`) to the dimensions of each metric it emits, and CloudWatch matches an alarm's
 * metric on its exact dimension set, so the drill steps, the sweeper and the construct's
 * `metric*()` methods all use this one value.
 * https://docs.powertools.aws.dev/lambda/typescript/latest/features/metrics/#adding-dimensions
 */
export const DRILL_METRICS_SERVICE = 'shipshape-restore-drill';

/** The metrics a drill publishes once per drill (the steps) or per hour (the sweeper), under `Database`. */
export const DRILL_METRIC_NAMES = ['DrillSucceeded', 'DrillFailed', 'RtoSeconds', 'RpoSeconds', 'DaysSinceLastSuccess'] as const;

/** The metric a drill publishes for each check, with the check's name as a `Check` dimension. */
export const DRILL_CHECK_METRIC = 'CheckPassed';
