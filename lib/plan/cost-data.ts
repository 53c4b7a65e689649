import type { EstimateInput, Lines } from './cost';
import { scheduleIntervalDays } from './recovery';
import { type CfnResource, numberProp, pipelineArtifactBuckets, referencedId, resourcesOf } from './template';

/** Databases, proxies, backups and restore drills, buckets, keys and secrets. */
export function dataLines(input: EstimateInput, lines: Lines): void {
  databases(input, lines);
  proxies(input, lines);
  backups(input, lines);
  drillCopies(input, lines);
  storageAndSecrets(input, lines);
}

const DB_TYPES = ['AWS::RDS::DBCluster', 'AWS::RDS::DBInstance'];

function standalone(input: EstimateInput): Array<[string, CfnResource]> {
  return resourcesOf(input.template, 'AWS::RDS::DBInstance').filter(([, i]) => !i.Properties?.DBClusterIdentifier);
}

function clusterInstances(input: EstimateInput, clusterId: string): Array<[string, CfnResource]> {
  return resourcesOf(input.template, 'AWS::RDS::DBInstance').filter(([, i]) => referencedId(i.Properties?.DBClusterIdentifier) === clusterId);
}

function databases(input: EstimateInput, lines: Lines): void {
  const { prices, usage, template } = input;
  const h = usage.hoursPerMonth;
  for (const [id, cluster] of resourcesOf(template, 'AWS::RDS::DBCluster')) {
    const scaling = cluster.Properties?.ServerlessV2ScalingConfiguration as { MinCapacity?: number } | undefined;
    const members = clusterInstances(input, id);
    const acu = (scaling?.MinCapacity ?? 0.5) * usage.auroraCapacityOfMinimum;
    lines.add('Aurora Serverless v2 capacity', members.length * acu * h * prices.auroraAcuHour, `${id}: ${members.length} instances x ${acu} ACU average x ${h} h`, DB_TYPES);
    lines.add('Aurora storage and I/O', usage.databaseStorageGb * prices.auroraStorageGbMonth + usage.auroraIoMillions * prices.auroraIoMillion, `${usage.databaseStorageGb} GB + ${usage.auroraIoMillions} million I/O`, [
      'AWS::RDS::DBCluster',
    ]);
  }
  for (const [id, db] of standalone(input)) {
    const size = String(db.Properties?.DBInstanceClass);
    const copies = db.Properties?.MultiAZ === true ? 2 : 1;
    const hourly = prices.rdsInstanceHour[size];
    if (hourly === undefined) {
      lines.add('RDS instance', 0, `${id}: no price for ${size} in the table: not counted`, DB_TYPES);
      continue;
    }
    lines.add('RDS instance', copies * hourly * h, `${id}: ${size} x ${copies === 2 ? '2 (Multi-AZ)' : '1'} x ${h} h`, DB_TYPES);
    const gib = numberProp(db, 'AllocatedStorage') ?? 20;
    lines.add('RDS storage (gp3)', copies * gib * prices.rdsGp3GbMonth, `${gib} GiB x ${copies}`, DB_TYPES);
  }
}

/** vCPUs of the burstable classes the kit offers (db.t4g.micro to large: 2). */
const vcpus = (instanceClass: string): number => (/\.(xlarge)$/.test(instanceClass) ? 4 : 2);

function proxies(input: EstimateInput, lines: Lines): void {
  const { template, prices, usage } = input;
  const h = usage.hoursPerMonth;
  for (const [id] of resourcesOf(template, 'AWS::RDS::DBProxy')) {
    const serverless = resourcesOf(template, 'AWS::RDS::DBCluster').length > 0;
    if (serverless) {
      // Billed on the capacity behind it, at least 8 ACU.
      lines.add('RDS Proxy', 8 * h * prices.rdsProxyAcuHour, `${id}: the 8 ACU minimum x ${h} h (Aurora Serverless v2)`, ['AWS::RDS::DBProxy']);
    } else {
      const instance = standalone(input)[0]?.[1];
      const count = Math.max(2, vcpus(typeof instance?.Properties?.DBInstanceClass === 'string' ? instance.Properties.DBInstanceClass : ''));
      lines.add('RDS Proxy', count * h * prices.rdsProxyVcpuHour, `${id}: ${count} vCPU of the instance x ${h} h`, ['AWS::RDS::DBProxy']);
    }
  }
}

interface BackupRule {
  readonly DeleteAfterDays: number;
  readonly continuous: boolean;
  readonly copies: number;
}

function backupRules(plan: CfnResource): BackupRule[] {
  const body = plan.Properties?.BackupPlan as { BackupPlanRule?: Array<Record<string, unknown>> } | undefined;
  return (body?.BackupPlanRule ?? []).map((rule) => ({
    DeleteAfterDays: (rule.Lifecycle as { DeleteAfterDays?: number } | undefined)?.DeleteAfterDays ?? 35,
    continuous: rule.EnableContinuousBackup === true,
    copies: ((rule.CopyActions as unknown[] | undefined) ?? []).length,
  }));
}

/**
 * Backup storage: the first snapshot is a full copy, later ones keep each day's changes; a
 * continuous backup keeps a base and every change of its window. RDS and Aurora include backup
 * storage up to the database's size, which is subtracted (a price rule, not a free tier).
 */
function backups(input: EstimateInput, lines: Lines): void {
  const { template, prices, usage } = input;
  const aurora = resourcesOf(template, 'AWS::RDS::DBCluster').length > 0;
  const instance = standalone(input)[0]?.[1];
  if (!aurora && !instance) return;
  const rate = aurora ? prices.auroraBackupGbMonth : prices.rdsBackupGbMonth;
  const dataGb = usage.databaseStorageGb;
  const allowance = aurora ? dataGb : (numberProp(instance, 'AllocatedStorage') ?? 20);
  const change = usage.databaseChangeGbPerDay;
  const plans = resourcesOf(template, 'AWS::Backup::BackupPlan');
  const rules = plans.flatMap(([, p]) => backupRules(p));
  const engineDays = numberProp(resourcesOf(template, 'AWS::RDS::DBCluster')[0]?.[1] ?? instance, 'BackupRetentionPeriod') ?? 1;
  const parts: string[] = [];
  let gb = 0;
  for (const rule of rules) {
    const kept = dataGb + change * rule.DeleteAfterDays;
    gb += kept;
    parts.push(`${rule.continuous ? 'continuous' : 'snapshots'} kept ${rule.DeleteAfterDays} d: ${kept.toFixed(1)} GB`);
  }
  // Without a continuous rule, the engine's own automated backups keep the point-in-time window.
  if (!rules.some((r) => r.continuous)) {
    const kept = dataGb + change * engineDays;
    gb += kept;
    parts.push(`automated backups kept ${engineDays} d: ${kept.toFixed(1)} GB`);
  }
  const billed = Math.max(0, gb - allowance);
  lines.add(
    'Backup storage',
    billed * rate,
    `${parts.join(', ')}; ${billed.toFixed(1)} GB beyond the ${allowance} GB included, at $${rate}/GB-month (${usage.databaseChangeGbPerDay} GB of changes a day)`,
    plans.length > 0 ? ['AWS::Backup::BackupPlan'] : [],
  );
  const copies = rules.filter((r) => r.copies > 0);
  if (copies.length > 0) {
    const copyGb = copies.reduce((sum, r) => sum + dataGb + change * r.DeleteAfterDays, 0);
    lines.add(
      'Backup copies in another region',
      copyGb * rate + change * 30 * prices.backupCrossRegionTransferGb,
      `${copyGb.toFixed(1)} GB kept there + ${(change * 30).toFixed(1)} GB of changes copied a month`,
      ['AWS::Backup::BackupPlan'],
    );
  }
}

/** Restore drills: each scheduled run restores a copy and keeps it up for `drillHours`. */
function drillCopies(input: EstimateInput, lines: Lines): void {
  const { template, prices, usage } = input;
  for (const [id, schedule] of resourcesOf(template, 'AWS::Scheduler::Schedule')) {
    const target = referencedId((schedule.Properties?.Target as { Arn?: unknown } | undefined)?.Arn);
    const machine = target ? template.Resources[target] : undefined;
    if (machine?.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const instanceClass = /instanceClass\\*":\\*"(db\.[a-z0-9]+\.[a-z0-9]+)/.exec(JSON.stringify(machine.Properties?.DefinitionString ?? ''))?.[1];
    const days = scheduleIntervalDays(String(schedule.Properties?.ScheduleExpression));
    if (!instanceClass || days === undefined) continue;
    const runs = 30.42 / days;
    const hourly = prices.rdsInstanceHour[instanceClass] ?? 0;
    lines.add(
      'Restore drill copies',
      runs * usage.drillHours * hourly,
      `${id}: ${runs.toFixed(2)} drills a month x ${usage.drillHours} h of a ${instanceClass} copy${hourly === 0 ? ' (no price for the class: not counted)' : ''}`,
      ['AWS::Scheduler::Schedule'],
    );
  }
}

function storageAndSecrets(input: EstimateInput, lines: Lines): void {
  const { template, prices, usage } = input;
  // A pipeline's artifact bucket is priced on the pipeline's own line (cost-operations.ts).
  const artifacts = pipelineArtifactBuckets(template);
  const buckets = resourcesOf(template, 'AWS::S3::Bucket').filter(([id]) => !artifacts.has(id)).length;
  if (buckets > 0) {
    lines.add(
      'S3 storage and requests',
      buckets * (usage.bucketGb * prices.s3StandardGbMonth + (usage.bucketPuts / 1000) * prices.s3PutThousand),
      `${buckets} buckets x (${usage.bucketGb} GB + ${usage.bucketPuts} PUTs)`,
      ['AWS::S3::Bucket'],
    );
  }
  const keys = resourcesOf(template, 'AWS::KMS::Key').length;
  if (keys > 0) {
    const requests = keys * usage.kmsRequestsPerKey;
    lines.add('KMS keys', keys * prices.kmsKeyMonth, `${keys} customer-managed keys (year one; each of the first two yearly rotations adds $1 a month)`, ['AWS::KMS::Key']);
    lines.add('KMS requests', (requests / 10_000) * prices.kmsRequestsPer10k, `${keys} keys x ${usage.kmsRequestsPerKey} requests`, ['AWS::KMS::Key'], {
      kmsRequests: { units: requests, usd: (requests / 10_000) * prices.kmsRequestsPer10k },
    });
  }
  const secrets = resourcesOf(template, 'AWS::SecretsManager::Secret').length;
  if (secrets > 0) {
    lines.add(
      'Secrets Manager',
      secrets * prices.secretMonth + (usage.secretsApiCalls / 10_000) * prices.secretsApiPer10k,
      `${secrets} secrets + ${usage.secretsApiCalls} API calls`,
      ['AWS::SecretsManager::Secret'],
    );
  }
}
