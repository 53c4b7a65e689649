/**
 * Monthly prices the readiness report uses. Dated and versioned: a report prints the version it
 * priced with. Source: AWS's us-east-1 on-demand prices, mostly as read from secondary sources;
 * entries marked `assumption` come from AWS's public price pages as remembered on the version
 * date: check them before relying on them.
 */
export interface PriceTable {
  readonly fargateVcpuHour: { readonly x86_64: number; readonly arm64: number };
  readonly fargateGbHour: { readonly x86_64: number; readonly arm64: number };
  readonly albHour: number;
  readonly albLcuHour: number;
  readonly natHour: number;
  readonly natGb: number;
  readonly publicIpv4Hour: number;
  readonly interfaceEndpointAzHour: number;
  readonly auroraAcuHour: number;
  readonly auroraStorageGbMonth: number;
  readonly auroraIoPerMillion: number;
  readonly rdsInstanceHour: Readonly<Record<string, number>>;
  readonly gp3GbMonth: number;
  readonly kmsKeyMonth: number;
  readonly secretMonth: number;
  readonly alarmMonth: { readonly standard: number; readonly highResolution: number; readonly composite: number };
  readonly dashboardMonth: number;
  readonly logsIngestGb: number;
  readonly lambdaRequestMillion: number;
  readonly lambdaGbSecond: number;
  /** assumption: RDS/Aurora backup storage beyond the free allowance, per GB-month. */
  readonly backupGbMonth: number;
}

export const PRICE_VERSION = '2026-11-01';

export const PRICES: Readonly<Record<string, PriceTable>> = {
  'us-east-1': {
    fargateVcpuHour: { x86_64: 0.04048, arm64: 0.03238 },
    fargateGbHour: { x86_64: 0.004445, arm64: 0.00356 },
    albHour: 0.0225,
    albLcuHour: 0.008,
    natHour: 0.045,
    natGb: 0.045,
    publicIpv4Hour: 0.005,
    interfaceEndpointAzHour: 0.01,
    auroraAcuHour: 0.12,
    auroraStorageGbMonth: 0.1,
    auroraIoPerMillion: 0.2,
    // db.t4g.medium is an assumption (twice the small).
    rdsInstanceHour: { 'db.t4g.micro': 0.016, 'db.t4g.small': 0.032, 'db.t4g.medium': 0.065 },
    gp3GbMonth: 0.115,
    kmsKeyMonth: 1,
    secretMonth: 0.4,
    alarmMonth: { standard: 0.1, highResolution: 0.3, composite: 0.5 },
    dashboardMonth: 3,
    logsIngestGb: 0.5,
    lambdaRequestMillion: 0.2,
    lambdaGbSecond: 0.0000166667,
    backupGbMonth: 0.095,
  },
};

/** What usage the estimate assumes where a template cannot say; every one is printed with the report. */
export interface UsageAssumptions {
  readonly hoursPerMonth: number;
  /** Average ALB load balancer capacity units in use (light traffic). */
  readonly albLcus: number;
  /** Public IPv4 addresses an internet-facing ALB holds (one per AZ). */
  readonly albPublicIps: number;
  /** GB processed by all NAT gateways together. */
  readonly natDataGb: number;
  /** Average Aurora Serverless v2 capacity of each instance, as a multiple of its minimum ACU (idle: 1). */
  readonly auroraCapacityOfMinimum: number;
  readonly databaseStorageGb: number;
  readonly auroraIoMillions: number;
  readonly logIngestGb: number;
  /** Backup storage beyond the free allowance (about one database size). */
  readonly backupStorageGb: number;
  /** Lambda invocations a month in each stack that has functions, besides per-minute schedules (drills, rotations, releases, smoke tests). */
  readonly lambdaInvocations: number;
}

export const DEFAULT_ASSUMPTIONS: UsageAssumptions = {
  hoursPerMonth: 730,
  albLcus: 1,
  albPublicIps: 2,
  natDataGb: 10,
  auroraCapacityOfMinimum: 1,
  databaseStorageGb: 10,
  auroraIoMillions: 10,
  logIngestGb: 5,
  backupStorageGb: 10,
  lambdaInvocations: 10_000,
};

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

/** The price table of `region`, or a clear error naming the regions there are tables for. */
export function pricesFor(region: string): PriceTable {
  const table = PRICES[region];
  if (!table) throw new PlanError(`No price table for region "${region}" (version ${PRICE_VERSION}); priced regions: ${Object.keys(PRICES).join(', ')}. Use --region with one of them.`);
  return table;
}
