/** Stack output names the CLI reads; the stacks write them. */
export const DRILL_OUTPUTS = {
  stateMachine: 'RestoreDrillStateMachineArn',
  reportBucket: 'RestoreDrillReportBucket',
} as const;
