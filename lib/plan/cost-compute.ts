import type { EstimateInput, Lines } from './cost';
import { type CfnResource, type CfnTemplate, numberProp, referencedId, resourcesOf } from './template';

/** Tasks, load balancers, NAT and the network's addresses and endpoints, and image storage. */
export function computeLines(input: EstimateInput, lines: Lines): void {
  fargate(input, lines);
  containerInsights(input, lines);
  loadBalancers(input, lines);
  nat(input, lines);
  instances(input, lines);
  endpoints(input, lines);
  repositories(input, lines);
  cdkAssetImages(input, lines);
}

/** What a repository's lifecycle policy keeps, in words. */
function lifecycleSummary(repository: CfnResource): string {
  const text = (repository.Properties?.LifecyclePolicy as { LifecyclePolicyText?: unknown } | undefined)?.LifecyclePolicyText;
  if (typeof text !== 'string') return 'no lifecycle policy: every image is kept';
  let rules: Array<{ selection?: { tagStatus?: string; tagPrefixList?: string[]; tagPatternList?: string[]; countType?: string; countNumber?: number } }>;
  try {
    rules = (JSON.parse(text) as { rules?: typeof rules }).rules ?? [];
  } catch {
    return 'a lifecycle policy that is not literal JSON';
  }
  const kept = rules.map(({ selection: s = {} }) => {
    const which = s.tagStatus === 'untagged' ? 'untagged' : s.tagStatus === 'tagged' ? `${[...(s.tagPrefixList ?? []), ...(s.tagPatternList ?? [])].join('|')} tagged` : 'any';
    return s.countType === 'imageCountMoreThan' ? `${s.countNumber} newest ${which}` : `${which} for ${s.countNumber} d`;
  });
  return `lifecycle keeps ${kept.join(', ')}`;
}

/** ECR repositories the kit creates: image storage. Basic scanning on push is free. */
function repositories(input: EstimateInput, lines: Lines): void {
  const { template, prices, usage } = input;
  for (const [id, repository] of resourcesOf(template, 'AWS::ECR::Repository')) {
    const scan = (repository.Properties?.ImageScanningConfiguration as { ScanOnPush?: unknown } | undefined)?.ScanOnPush === true ? 'basic scan on push (free)' : 'no scan on push';
    const encryption = repository.Properties?.EncryptionConfiguration as { EncryptionType?: string; KmsKey?: unknown } | undefined;
    const key =
      encryption?.EncryptionType === 'KMS' ? (encryption.KmsKey ? 'its customer-managed key (priced with the KMS keys)' : 'the AWS managed key aws/ecr (no key charge)') : 'AES-256 (free)';
    lines.add(
      'ECR repository (release images)',
      usage.ecrGb * prices.ecrStorageGbMonth,
      `${id}: ${usage.ecrGb} GB of images at $${prices.ecrStorageGbMonth}/GB-month; ${lifecycleSummary(repository)}; ${scan}; encrypted with ${key}`,
      ['AWS::ECR::Repository'],
    );
  }
}

/** The tags of the container images a template takes from the CDK bootstrap's container-assets repository. */
function cdkAssetImageTags(template: CfnTemplate): Set<string> {
  const tags = new Set<string>();
  for (const [, task] of resourcesOf(template, 'AWS::ECS::TaskDefinition')) {
    for (const container of (task.Properties?.ContainerDefinitions ?? []) as Array<{ Image?: unknown }>) {
      const image = JSON.stringify(container.Image ?? '');
      const tag = /container-assets-[^"]*?:([0-9a-f]{64})/.exec(image)?.[1];
      if (tag) tags.add(tag);
    }
  }
  return tags;
}

/**
 * Image assets (`DockerImageAsset`, `ContainerImage.fromAsset`) live in the CDK bootstrap's
 * container-assets repository, which expires no tagged image: what the app's deploys pushed stays
 * until `cdk gc` reclaims it.
 */
function cdkAssetImages(input: EstimateInput, lines: Lines): void {
  const { template, prices, usage } = input;
  const tags = cdkAssetImageTags(template);
  if (tags.size === 0) return;
  lines.add(
    'CDK asset images (bootstrap repository)',
    usage.cdkAssetGb * prices.ecrStorageGbMonth,
    `${tags.size} image assets in the bootstrap's container-assets repository: ${usage.cdkAssetGb} GB kept (every pushed image stays until \`cdk gc\`) at $${prices.ecrStorageGbMonth}/GB-month`,
    ['AWS::ECS::TaskDefinition'],
  );
}

interface TaskSize {
  readonly vcpu: number;
  readonly gb: number;
  readonly arch: 'x86_64' | 'arm64';
}

function taskSize(task: CfnResource | undefined): TaskSize {
  const platform = task?.Properties?.RuntimePlatform as { CpuArchitecture?: string } | undefined;
  return {
    vcpu: (numberProp(task, 'Cpu') ?? 256) / 1024,
    gb: (numberProp(task, 'Memory') ?? 512) / 1024,
    arch: platform?.CpuArchitecture === 'ARM64' ? 'arm64' : 'x86_64',
  };
}

function taskHourUsd(size: TaskSize, input: EstimateInput): number {
  const { prices } = input;
  return size.arch === 'arm64'
    ? size.vcpu * prices.fargateVcpuHourArm + size.gb * prices.fargateGbHourArm
    : size.vcpu * prices.fargateVcpuHourX86 + size.gb * prices.fargateGbHourX86;
}

function fargate(input: EstimateInput, lines: Lines): void {
  const { template, usage } = input;
  const h = usage.hoursPerMonth;
  const used = new Set<string>();
  for (const [id, service] of resourcesOf(template, 'AWS::ECS::Service')) {
    const taskId = referencedId(service.Properties?.TaskDefinition) ?? '';
    used.add(taskId);
    const count = numberProp(service, 'DesiredCount') ?? 1;
    const size = taskSize(template.Resources[taskId]);
    const spot = JSON.stringify(service.Properties?.CapacityProviderStrategy ?? []).includes('FARGATE_SPOT') ? ' (Spot share priced on-demand: an upper bound)' : '';
    lines.add(
      'Fargate tasks',
      count * h * taskHourUsd(size, input),
      `${id}: ${count} x (${size.vcpu} vCPU + ${size.gb} GB) ${size.arch} x ${h} h${spot}`,
      ['AWS::ECS::Service', 'AWS::ECS::TaskDefinition'],
    );
  }
  // A definition no service runs is a one-off task: the release pipeline's migration.
  for (const [id, task] of resourcesOf(template, 'AWS::ECS::TaskDefinition').filter(([taskId]) => !used.has(taskId))) {
    const size = taskSize(task);
    const hours = (usage.releasesPerMonth * usage.migrationMinutes) / 60;
    lines.add('Fargate one-off tasks', hours * taskHourUsd(size, input), `${id}: ${usage.releasesPerMonth} runs x ${usage.migrationMinutes} min of (${size.vcpu} vCPU + ${size.gb} GB) ${size.arch}`, [
      'AWS::ECS::TaskDefinition',
    ]);
  }
}

function containerInsights(input: EstimateInput, lines: Lines): void {
  const { template, prices, usage } = input;
  const tasks = resourcesOf(template, 'AWS::ECS::Service').reduce((sum, [, s]) => sum + (numberProp(s, 'DesiredCount') ?? 1), 0);
  const services = resourcesOf(template, 'AWS::ECS::Service').length;
  for (const [id, cluster] of resourcesOf(template, 'AWS::ECS::Cluster')) {
    const settings = (cluster.Properties?.ClusterSettings ?? []) as Array<{ Name?: string; Value?: string }>;
    const mode = settings.find((s) => s.Name === 'containerInsights')?.Value ?? 'disabled';
    if (mode === 'enhanced') {
      const observations = tasks * usage.containerInsightsObservationsPerTaskMinute * 60 * usage.hoursPerMonth;
      lines.add(
        'Container Insights (enhanced observability)',
        (observations / 1e6) * prices.containerInsightsEnhancedObservationMillion,
        `${id}: ${tasks} tasks x ${usage.containerInsightsObservationsPerTaskMinute} observations a minute = ${(observations / 1e6).toFixed(2)} million observations`,
        ['AWS::ECS::Cluster'],
      );
    } else if (mode === 'enabled') {
      // Standard Container Insights is billed as custom metrics: the cluster's and each service's.
      const metrics = 8 + 12 * services;
      lines.add('Container Insights (custom metrics)', metrics * prices.customMetricMonth, `${id}: about ${metrics} metrics (8 for the cluster, 12 per service)`, ['AWS::ECS::Cluster'], {
        customMetrics: { units: metrics, usd: metrics * prices.customMetricMonth },
      });
    }
  }
}

/** How many subnets (one public address each) an internet-facing load balancer spans. */
function subnetCount(alb: CfnResource): number {
  const subnets = (alb.Properties?.Subnets ?? alb.Properties?.SubnetMappings);
  return Array.isArray(subnets) ? subnets.length : 2;
}

function loadBalancers(input: EstimateInput, lines: Lines): void {
  const { template, prices, usage } = input;
  const h = usage.hoursPerMonth;
  for (const [id, alb] of resourcesOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    lines.add('Application Load Balancer', h * (prices.albHour + usage.albLcus * prices.albLcuHour), `${id}: ${h} h + ${usage.albLcus} LCU average`, [
      'AWS::ElasticLoadBalancingV2::LoadBalancer',
    ]);
    if (alb.Properties?.Scheme !== 'internal') {
      const ips = subnetCount(alb);
      lines.add('Public IPv4 (load balancer)', ips * h * prices.publicIpv4Hour, `${ips} addresses (one per AZ) x ${h} h`, ['AWS::ElasticLoadBalancingV2::LoadBalancer']);
    }
  }
}

function nat(input: EstimateInput, lines: Lines): void {
  const { template, prices, usage } = input;
  const h = usage.hoursPerMonth;
  const gateways = resourcesOf(template, 'AWS::EC2::NatGateway').length;
  if (gateways > 0) {
    lines.add('NAT gateways', gateways * h * prices.natGatewayHour + usage.natDataGb * prices.natGatewayGb, `${gateways} x ${h} h + ${usage.natDataGb} GB processed`, ['AWS::EC2::NatGateway']);
  }
  const eips = resourcesOf(template, 'AWS::EC2::EIP').length;
  if (eips > 0) lines.add('Public IPv4 (Elastic IPs)', eips * h * prices.publicIpv4Hour, `${eips} Elastic IPs x ${h} h`, ['AWS::EC2::EIP']);
}

function hasPublicAddress(instance: CfnResource): boolean {
  const interfaces = (instance.Properties?.NetworkInterfaces ?? []) as Array<{ AssociatePublicIpAddress?: boolean }>;
  return interfaces.some((i) => i.AssociatePublicIpAddress === true);
}

function rootVolumeGb(instance: CfnResource): number {
  const mappings = (instance.Properties?.BlockDeviceMappings ?? []) as Array<{ Ebs?: { VolumeSize?: number } }>;
  return mappings.reduce((sum, m) => sum + (m.Ebs?.VolumeSize ?? 0), 0) || 8;
}

function instances(input: EstimateInput, lines: Lines): void {
  const { template, prices, usage } = input;
  const h = usage.hoursPerMonth;
  for (const [id, instance] of resourcesOf(template, 'AWS::EC2::Instance')) {
    const type = String(instance.Properties?.InstanceType);
    const item = instance.Properties?.SourceDestCheck === false ? 'NAT instances' : 'EC2 instances';
    const hourly = prices.ec2InstanceHour[type];
    if (hourly === undefined) {
      lines.add(item, 0, `${id}: no price for ${type} in the table: not counted`, ['AWS::EC2::Instance']);
      continue;
    }
    const gb = rootVolumeGb(instance);
    lines.add(item, h * hourly + gb * prices.ebsGp3GbMonth, `${id}: ${type} x ${h} h + ${gb} GB gp3 root volume`, ['AWS::EC2::Instance']);
    if (hasPublicAddress(instance)) lines.add('Public IPv4 (instances)', h * prices.publicIpv4Hour, `${id}: 1 address x ${h} h`, ['AWS::EC2::Instance']);
  }
}

function endpoints(input: EstimateInput, lines: Lines): void {
  const { template, prices, usage } = input;
  const h = usage.hoursPerMonth;
  const endpointAzs = resourcesOf(template, 'AWS::EC2::VPCEndpoint')
    .filter(([, e]) => e.Properties?.VpcEndpointType === 'Interface')
    .reduce((sum, [, e]) => sum + ((e.Properties?.SubnetIds as unknown[] | undefined)?.length ?? 2), 0);
  if (endpointAzs > 0) {
    lines.add('VPC interface endpoints', endpointAzs * h * prices.interfaceEndpointAzHour + usage.natDataGb * prices.interfaceEndpointGb, `${endpointAzs} endpoint-AZs x ${h} h + ${usage.natDataGb} GB processed`, [
      'AWS::EC2::VPCEndpoint',
    ]);
  }
}
