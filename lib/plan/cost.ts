import type { PriceTable, UsageAssumptions } from './prices';
import { alarmPeriodSeconds, type CfnTemplate, numberProp, resourcesOf } from './template';

/** One priced line of a stack's monthly estimate, with what it was computed from. */
export interface CostLine {
  readonly item: string;
  readonly monthlyUsd: number;
  readonly basis: string;
}

const round = (usd: number) => Math.round(usd * 100) / 100;

function refId(value: unknown): string | undefined {
  const ref = (value as { Ref?: unknown } | undefined)?.Ref;
  return typeof ref === 'string' ? ref : undefined;
}

/** A monthly estimate of one stack: every priced resource, and the usage assumed where a template cannot say. */
export function estimateStack(template: CfnTemplate, prices: PriceTable, usage: UsageAssumptions): CostLine[] {
  const h = usage.hoursPerMonth;
  const lines: CostLine[] = [];
  const add = (item: string, usd: number, basis: string) => {
    if (usd > 0) lines.push({ item, monthlyUsd: round(usd), basis });
  };

  for (const [id, service] of resourcesOf(template, 'AWS::ECS::Service')) {
    const task = template.Resources[refId(service.Properties?.TaskDefinition) ?? ''];
    const count = numberProp(service, 'DesiredCount') ?? 1;
    const vcpu = (numberProp(task, 'Cpu') ?? 256) / 1024;
    const gb = (numberProp(task, 'Memory') ?? 512) / 1024;
    const arch = (task?.Properties?.RuntimePlatform as { CpuArchitecture?: string } | undefined)?.CpuArchitecture === 'ARM64' ? 'arm64' : 'x86_64';
    const usd = count * h * (vcpu * prices.fargateVcpuHour[arch] + gb * prices.fargateGbHour[arch]);
    add('Fargate tasks', usd, `${id}: ${count} x (${vcpu} vCPU + ${gb} GB) ${arch} x ${h} h`);
  }
  for (const [id, alb] of resourcesOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    add('Application Load Balancer', h * (prices.albHour + usage.albLcus * prices.albLcuHour), `${id}: ${h} h + ${usage.albLcus} LCU average`);
    if (alb.Properties?.Scheme !== 'internal') add('Public IPv4 (load balancer)', usage.albPublicIps * h * prices.publicIpv4Hour, `${usage.albPublicIps} addresses (one per AZ) x ${h} h`);
  }
  const nats = resourcesOf(template, 'AWS::EC2::NatGateway').length;
  if (nats > 0) {
    add('NAT gateways', nats * h * prices.natHour + usage.natDataGb * prices.natGb, `${nats} x ${h} h + ${usage.natDataGb} GB processed`);
    add('Public IPv4 (NAT)', resourcesOf(template, 'AWS::EC2::EIP').length * h * prices.publicIpv4Hour, `${resourcesOf(template, 'AWS::EC2::EIP').length} Elastic IPs x ${h} h`);
  }
  const endpointAzs = resourcesOf(template, 'AWS::EC2::VPCEndpoint')
    .filter(([, e]) => e.Properties?.VpcEndpointType === 'Interface')
    .reduce((sum, [, e]) => sum + ((e.Properties?.SubnetIds as unknown[] | undefined)?.length ?? 2), 0);
  add('VPC interface endpoints', endpointAzs * h * prices.interfaceEndpointAzHour, `${endpointAzs} endpoint-AZs x ${h} h (gateway endpoints are free)`);

  for (const [id, cluster] of resourcesOf(template, 'AWS::RDS::DBCluster')) {
    const scaling = cluster.Properties?.ServerlessV2ScalingConfiguration as { MinCapacity?: number } | undefined;
    const instances = resourcesOf(template, 'AWS::RDS::DBInstance').filter(([, i]) => refId(i.Properties?.DBClusterIdentifier) === id).length;
    const acu = (scaling?.MinCapacity ?? 0.5) * usage.auroraCapacityOfMinimum;
    add('Aurora Serverless v2 capacity', instances * acu * h * prices.auroraAcuHour, `${id}: ${instances} instances x ${acu} ACU average x ${h} h`);
    add(
      'Aurora storage and I/O',
      usage.databaseStorageGb * prices.auroraStorageGbMonth + usage.auroraIoMillions * prices.auroraIoPerMillion,
      `${usage.databaseStorageGb} GB + ${usage.auroraIoMillions} million I/O`,
    );
  }
  for (const [id, db] of resourcesOf(template, 'AWS::RDS::DBInstance').filter(([, i]) => !i.Properties?.DBClusterIdentifier)) {
    const size = String(db.Properties?.DBInstanceClass);
    const copies = db.Properties?.MultiAZ === true ? 2 : 1;
    const hourly = prices.rdsInstanceHour[size];
    if (hourly === undefined) {
      lines.push({ item: 'RDS instance', monthlyUsd: 0, basis: `${id}: no price for ${size} in the table: not counted` });
      continue;
    }
    add('RDS instance', copies * hourly * h, `${id}: ${size} x ${copies === 2 ? '2 (Multi-AZ)' : '1'} x ${h} h`);
    const gib = numberProp(db, 'AllocatedStorage') ?? 20;
    add('RDS storage (gp3)', copies * gib * prices.gp3GbMonth, `${gib} GiB x ${copies}`);
  }
  const databases = resourcesOf(template, 'AWS::RDS::DBCluster').length + resourcesOf(template, 'AWS::RDS::DBInstance').filter(([, i]) => !i.Properties?.DBClusterIdentifier).length;
  if (databases > 0) add('Backup storage', usage.backupStorageGb * prices.backupGbMonth, `${usage.backupStorageGb} GB beyond the free allowance (assumption)`);

  const keys = resourcesOf(template, 'AWS::KMS::Key').length;
  add('KMS keys', keys * prices.kmsKeyMonth, `${keys} customer-managed keys`);
  const secrets = resourcesOf(template, 'AWS::SecretsManager::Secret').length;
  add('Secrets Manager', secrets * prices.secretMonth, `${secrets} secrets`);
  const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) => alarmPeriodSeconds(a));
  const highRes = alarms.filter((p) => p < 60).length;
  const composite = resourcesOf(template, 'AWS::CloudWatch::CompositeAlarm').length;
  add(
    'CloudWatch alarms',
    (alarms.length - highRes) * prices.alarmMonth.standard + highRes * prices.alarmMonth.highResolution + composite * prices.alarmMonth.composite,
    `${alarms.length - highRes} standard, ${highRes} high-resolution, ${composite} composite`,
  );
  const dashboards = resourcesOf(template, 'AWS::CloudWatch::Dashboard').length;
  add('CloudWatch dashboards', dashboards * prices.dashboardMonth, `${dashboards} dashboards`);
  if (resourcesOf(template, 'AWS::ECS::Service').length > 0) {
    add('CloudWatch Logs ingestion', usage.logIngestGb * prices.logsIngestGb, `${usage.logIngestGb} GB a month (assumption)`);
  }
  const perMinute = resourcesOf(template, 'AWS::Scheduler::Schedule').filter(([, s]) => s.Properties?.ScheduleExpression === 'rate(1 minute)').length;
  if (resourcesOf(template, 'AWS::Lambda::Function').length > 0) {
    const invocations = perMinute * 60 * h + usage.lambdaInvocations;
    add('Lambda', (invocations / 1e6) * prices.lambdaRequestMillion + invocations * 0.5 * 0.25 * prices.lambdaGbSecond, `${invocations} invocations x 0.5 s x 256 MB`);
  }
  return lines;
}

/** The sum of a stack's lines. */
export function monthlyTotal(lines: readonly CostLine[]): number {
  return round(lines.reduce((sum, line) => sum + line.monthlyUsd, 0));
}
