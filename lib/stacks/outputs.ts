/** Stack output names the CLI reads; the stacks write them. */
export const DRILL_OUTPUTS = {
  stateMachine: 'RestoreDrillStateMachineArn',
  reportBucket: 'RestoreDrillReportBucket',
} as const;

/** Stateless stack outputs the CLI reads (rollback, status, logs) and operators use. */
export const SERVICE_OUTPUTS = {
  service: 'ServiceArn',
  cluster: 'ClusterArn',
  pipeline: 'ReleasePipelineName',
  /** The service's log group (shipshape logs). */
  logGroup: 'ServiceLogGroupName',
  /** The load balancer's DNS name: the CNAME target for a domain with your own certificate. */
  loadBalancerDns: 'LoadBalancerDnsName',
  /** The image repository releases come from (`docker push` here; shipshape status, release). */
  imageRepository: 'ImageRepositoryUri',
} as const;
