/** Stack output names the CLI reads; the stacks write them. */
export const DRILL_OUTPUTS = {
  stateMachine: 'RestoreDrillStateMachineArn',
  reportBucket: 'RestoreDrillReportBucket',
} as const;

/** Stateless stack outputs the CLI reads (rollback, status). */
export const SERVICE_OUTPUTS = {
  service: 'ServiceArn',
  cluster: 'ClusterArn',
  pipeline: 'ReleasePipelineName',
} as const;
