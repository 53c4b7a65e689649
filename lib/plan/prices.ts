import usEast1 from './price-list.us-east-1.json';

/** One rate of a price list, with the AWS page it comes from. */
export interface PriceEntry<T = number> {
  readonly usd: T;
  readonly unit: string;
  readonly source: string;
  /** `high`: a long-standing published rate; `low`: not confirmed for this version of the list. */
  readonly confidence: 'high' | 'low';
}

/** The rates `shipshape plan` uses, by name. Sized rates (instances, build hosts) map a size to its rate. */
export interface PriceRates {
  readonly fargateVcpuHourX86: number;
  readonly fargateGbHourX86: number;
  readonly fargateVcpuHourArm: number;
  readonly fargateGbHourArm: number;
  readonly albHour: number;
  readonly albLcuHour: number;
  readonly natGatewayHour: number;
  readonly natGatewayGb: number;
  readonly publicIpv4Hour: number;
  readonly interfaceEndpointAzHour: number;
  readonly interfaceEndpointGb: number;
  readonly ec2InstanceHour: Readonly<Record<string, number>>;
  readonly ebsGp3GbMonth: number;
  readonly auroraAcuHour: number;
  readonly auroraStorageGbMonth: number;
  readonly auroraIoMillion: number;
  readonly auroraBackupGbMonth: number;
  readonly rdsInstanceHour: Readonly<Record<string, number>>;
  readonly rdsGp3GbMonth: number;
  readonly rdsBackupGbMonth: number;
  readonly rdsProxyVcpuHour: number;
  readonly rdsProxyAcuHour: number;
  readonly backupCrossRegionTransferGb: number;
  readonly kmsKeyMonth: number;
  readonly kmsRequestsPer10k: number;
  readonly secretMonth: number;
  readonly secretsApiPer10k: number;
  readonly customMetricMonth: number;
  readonly alarmStandardMonth: number;
  readonly alarmHighResolutionMonth: number;
  readonly alarmCompositeMonth: number;
  readonly dashboardMonth: number;
  readonly logsIngestGb: number;
  readonly vendedLogsIngestGb: number;
  readonly logsStorageGbMonth: number;
  readonly containerInsightsEnhancedObservationMillion: number;
  readonly lambdaRequestMillion: number;
  readonly lambdaGbSecondX86: number;
  readonly lambdaGbSecondArm: number;
  readonly stepFunctionsTransitionThousand: number;
  readonly schedulerInvocationMillion: number;
  readonly snsPublishMillion: number;
  readonly snsEmailHundredThousand: number;
  readonly sqsRequestMillion: number;
  readonly s3StandardGbMonth: number;
  readonly s3PutThousand: number;
  readonly ecrStorageGbMonth: number;
  readonly codePipelineV2ActionMinute: number;
  readonly codePipelineV1Month: number;
  readonly codeBuildMinute: Readonly<Record<string, number>>;
  readonly ampIngestTenMillionSamples: number;
  readonly ampStorageGbMonth: number;
  readonly ampQueryBillionSamples: number;
}

/** The always-free monthly allowances of an account; shown beside the estimate, never subtracted. */
export interface FreeTier {
  readonly source: string;
  readonly customMetrics: number;
  readonly standardAlarms: number;
  readonly dashboards: number;
  readonly logsGb: number;
  readonly lambdaRequests: number;
  readonly lambdaGbSeconds: number;
  readonly stepFunctionsTransitions: number;
  readonly schedulerInvocations: number;
  readonly codePipelineV2ActionMinutes: number;
  readonly codeBuildSmallMinutes: number;
  readonly kmsRequests: number;
  readonly snsPublishes: number;
  readonly sqsRequests: number;
}

/** A region's price list as the data file holds it. */
export interface PriceList {
  readonly region: string;
  /** The date the list stands for; a report prints it. */
  readonly version: string;
  readonly prices: { readonly [K in keyof PriceRates]: PriceEntry<PriceRates[K]> };
  readonly freeTier: FreeTier;
}

/** The rates of a price list, by name. */
export type PriceTable = PriceRates & { readonly version: string; readonly freeTier: FreeTier };

function table(list: PriceList): PriceTable {
  const rates = Object.fromEntries(Object.entries(list.prices).map(([name, entry]) => [name, entry.usd])) as unknown as PriceRates;
  return { ...rates, version: list.version, freeTier: list.freeTier };
}

/** The price lists shipshape carries, by region (`lib/plan/price-list.<region>.json`). */
export const PRICE_LISTS: Readonly<Record<string, PriceList>> = {
  'us-east-1': usEast1 as PriceList,
};

export const PRICES: Readonly<Record<string, PriceTable>> = Object.fromEntries(Object.entries(PRICE_LISTS).map(([region, list]) => [region, table(list)]));

/** The version of the us-east-1 list (every list carries its own). */
export const PRICE_VERSION = PRICE_LISTS['us-east-1'].version;

/** What usage the estimate assumes where a template cannot say; every one is printed with the report. */
export interface UsageAssumptions {
  readonly hoursPerMonth: number;
  /** Average ALB load balancer capacity units in use (light traffic). */
  readonly albLcus: number;
  /** GB processed by all NAT gateways together (ECR layers go through the free S3 gateway endpoint). */
  readonly natDataGb: number;
  /** Average Aurora Serverless v2 capacity of each instance, as a multiple of its minimum ACU (idle: 1). */
  readonly auroraCapacityOfMinimum: number;
  /** Data in the database. */
  readonly databaseStorageGb: number;
  readonly auroraIoMillions: number;
  /** GB of changed data a day: what incremental snapshots and continuous backups keep. */
  readonly databaseChangeGbPerDay: number;
  /** Application log volume of the service's tasks. */
  readonly logIngestGb: number;
  /** VPC flow log volume (all traffic, one-minute aggregation). */
  readonly flowLogGb: number;
  /** PostgreSQL log volume exported to CloudWatch Logs (slow queries, errors, upgrades). */
  readonly databaseLogGb: number;
  /** Size of one RDS enhanced-monitoring (RDSOSMetrics) event, per instance per interval. */
  readonly enhancedMonitoringKbPerEvent: number;
  /** Log written by one Lambda invocation. */
  readonly lambdaLogKbPerInvocation: number;
  /** Average duration of a Lambda invocation. */
  readonly lambdaSeconds: number;
  /** Lambda invocations a month in each stack that has functions, besides the scheduled ones (rotations, releases, smoke tests). */
  readonly lambdaInvocations: number;
  /** Container Insights (enhanced) observations per running task per minute (task and container level). */
  readonly containerInsightsObservationsPerTaskMinute: number;
  /** How long one restore drill keeps its copy running. */
  readonly drillHours: number;
  /** State transitions of one restore drill (polling included). */
  readonly drillTransitions: number;
  /** Runs a month of a state machine that no schedule starts (the rotation rollout), and its transitions per run. */
  readonly otherStateMachineRuns: number;
  readonly otherStateMachineTransitions: number;
  /** Releases a month, each running the pipeline's actions for `releaseActionMinutes`. */
  readonly releasesPerMonth: number;
  readonly releaseActionMinutes: number;
  /** Build minutes of one release (Git sources build in CodeBuild), and the migration task's run time. */
  readonly buildMinutes: number;
  readonly migrationMinutes: number;
  /** KMS requests a month per customer-managed key (log groups, secrets, SNS, S3 bucket keys). */
  readonly kmsRequestsPerKey: number;
  /** Secrets Manager API calls a month in a stack with secrets (task starts, rotations, the heartbeat). */
  readonly secretsApiCalls: number;
  /** Data in each S3 bucket (access logs, drill reports, pipeline artifacts) and its PUTs. */
  readonly bucketGb: number;
  readonly bucketPuts: number;
  /** Notifications a month (alarms, drills, releases): SNS publishes, each e-mailed to every subscriber. */
  readonly notifications: number;
  /** Image data kept in an ECR repository the kit creates (its lifecycle policy bounds it). */
  readonly ecrGb: number;
  /**
   * Image data the CDK bootstrap's container-assets repository keeps for the app's image assets: it
   * expires no tagged image, so every image a `cdk deploy` pushed stays until `cdk gc` reclaims it.
   */
  readonly cdkAssetGb: number;
  /**
   * Active Prometheus series each scraped task exposes: the reference application's request counter
   * and latency histogram over its routes, pool gauges, the client's process metrics and the scrape's own.
   */
  readonly prometheusSeriesPerTask: number;
  /** The scrape interval when the template does not say (Prometheus's default: one minute). */
  readonly prometheusScrapeSeconds: number;
  /** Stored bytes per Prometheus sample, metadata included (AMP: samples are typically 1 or 2 bytes). */
  readonly prometheusBytesPerSample: number;
  /** Samples one evaluation of a Prometheus alerting or recording rule processes. */
  readonly prometheusSamplesPerRuleEvaluation: number;
}

export const DEFAULT_ASSUMPTIONS: UsageAssumptions = {
  hoursPerMonth: 730,
  albLcus: 1,
  natDataGb: 10,
  auroraCapacityOfMinimum: 1,
  databaseStorageGb: 10,
  auroraIoMillions: 10,
  databaseChangeGbPerDay: 0.2,
  logIngestGb: 5,
  flowLogGb: 2,
  databaseLogGb: 0.5,
  enhancedMonitoringKbPerEvent: 10,
  lambdaLogKbPerInvocation: 1,
  lambdaSeconds: 0.5,
  lambdaInvocations: 10_000,
  containerInsightsObservationsPerTaskMinute: 30,
  drillHours: 1,
  drillTransitions: 200,
  otherStateMachineRuns: 2,
  otherStateMachineTransitions: 50,
  releasesPerMonth: 20,
  releaseActionMinutes: 30,
  buildMinutes: 5,
  migrationMinutes: 3,
  kmsRequestsPerKey: 10_000,
  secretsApiCalls: 50_000,
  bucketGb: 1,
  bucketPuts: 20_000,
  notifications: 200,
  ecrGb: 2,
  cdkAssetGb: 1,
  prometheusSeriesPerTask: 550,
  prometheusScrapeSeconds: 60,
  prometheusBytesPerSample: 2,
  prometheusSamplesPerRuleEvaluation: 5_000,
};

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

/** The price table of `region`, or a clear error naming the regions there are tables for. */
export function pricesFor(region: string): PriceTable {
  const prices = PRICES[region];
  if (!prices) throw new PlanError(`No price table for region "${region}" (version ${PRICE_VERSION}); priced regions: ${Object.keys(PRICES).join(', ')}. Use --region with one of them.`);
  return prices;
}
