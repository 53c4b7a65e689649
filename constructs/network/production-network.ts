import { Fn, Stack, Tags, Token, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { allowLogsToUseKey, encryptedLogGroup, rotatingKey } from '../private/encryption';
import { DEFAULT_NAT_INSTANCE_TYPE, hardenNatInstances, NatDevice, natInstanceProvider, natRecoveryAlarms } from './nat-instances';

/** How tasks in the private subnets reach the internet. */
export enum NatStrategy {
  /** One NAT device (gateway or instance, see `NatDevice`) in every AZ: no AZ depends on another for egress. */
  PER_AZ = 'per-az',
  /** One NAT device for all AZs: cheaper, but an outage of its AZ cuts egress for every AZ. */
  SINGLE = 'single',
  /** No NAT: the private subnets are isolated and reach AWS through VPC endpoints only. */
  NONE = 'none',
}

export interface ProductionNetworkProps {
  /**
   * How many availability zones to span: 2 or 3.
   * @default 2
   */
  readonly maxAzs?: number;
  /**
   * The zone names to use, exactly `maxAzs` of them. They must be among the stack's zones, which
   * in a stack with an explicit account and region CDK looks up (or reads from cdk.context.json).
   * @default - the region's first `maxAzs` zones; in an environment-agnostic stack these are
   * resolved at deploy time (`Fn::GetAZs`), so synth needs no AWS account
   */
  readonly availabilityZones?: string[];
  /**
   * How the private subnets reach the internet.
   * @default NatStrategy.PER_AZ
   */
  readonly natStrategy?: NatStrategy;
  /**
   * What does the NAT: managed gateways, or instances (cheaper, with the trade-offs `NatDevice.INSTANCE`
   * lists). Ignored when `natStrategy` is NONE.
   * @default NatDevice.GATEWAY
   */
  readonly natDevice?: NatDevice;
  /**
   * The NAT instances' type (`natDevice` INSTANCE only). A Graviton type: the image is chosen for
   * the type's architecture.
   * @default t4g.nano
   */
  readonly natInstanceType?: ec2.InstanceType;
  /**
   * The VPC's IPv4 range, /16 to /24 (each AZ gets a /24 public, /20 private and /24 isolated
   * subnet at /16; smaller ranges shrink them).
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * How long VPC flow logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * The key that encrypts the flow log group. It must allow CloudWatch Logs to use it.
   * @default - a new customer-managed key with rotation on
   */
  readonly encryptionKey?: kms.IKey;
}

/** The VPC ranges `ProductionNetwork` accepts: IPv4, /16 to /24. */
export const VPC_CIDR_PATTERN = /^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-4])$/;

/** The interface endpoints a Fargate task needs to start with no NAT: image pull, logs, secrets, keys. */
const TASK_ENDPOINTS = {
  EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  Kms: ec2.InterfaceVpcEndpointAwsService.KMS,
  // The blue/green smoke test finds the load balancer's private addresses through the EC2 API.
  Ec2: ec2.InterfaceVpcEndpointAwsService.EC2,
} as const;

/**
 * A VPC for production: public, private and isolated subnets in 2 or 3 AZs; NAT per AZ (or one,
 * or none with VPC endpoints); all traffic logged to an encrypted log group; the default security
 * group closed.
 */
export class ProductionNetwork extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.Vpc;
  /** The NAT strategy in use. */
  public readonly natStrategy: NatStrategy;
  /** Where load balancers go: the public subnets. */
  public readonly publicSubnets: ec2.SubnetSelection;
  /** Where application tasks and Lambdas go: private subnets (with egress unless NAT is NONE). */
  public readonly appSubnets: ec2.SubnetSelection;
  /** Where data stores go: isolated subnets, no route to the internet. */
  public readonly dataSubnets: ec2.SubnetSelection;
  /** The VPC flow log group (encrypted, with retention). */
  public readonly flowLogGroup: logs.LogGroup;
  /** Interface endpoints by service (present when NAT is NONE). */
  public readonly interfaceEndpoints: Readonly<Record<string, ec2.InterfaceVpcEndpoint>>;
  /** What does the NAT. */
  public readonly natDevice: NatDevice;
  /** The NAT instances (`natDevice` INSTANCE), one per AZ or one in all. */
  public readonly natInstances: ec2.Instance[];
  /** Per NAT instance: the alarm that recovers it (system check) and the one that reboots it (instance check). */
  public readonly natRecoveryAlarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ProductionNetworkProps = {}) {
    super(scope, id);
    const maxAzs = props.maxAzs ?? 2;
    this.natStrategy = props.natStrategy ?? NatStrategy.PER_AZ;
    validateProps(props, maxAzs);
    Tags.of(this).add('shipshape:component', 'network');

    const withNat = this.natStrategy !== NatStrategy.NONE;
    this.natDevice = props.natDevice ?? NatDevice.GATEWAY;
    const natInstances = withNat && this.natDevice === NatDevice.INSTANCE ? natInstanceProvider(props.natInstanceType ?? DEFAULT_NAT_INSTANCE_TYPE) : undefined;
    const privateType = withNat ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED;
    const cidr = props.cidr ?? '10.0.0.0/16';
    const cidrBits = Number(cidr.split('/')[1]);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      ...azSelection(this, props.availabilityZones, maxAzs),
      natGateways: { [NatStrategy.PER_AZ]: maxAzs, [NatStrategy.SINGLE]: 1, [NatStrategy.NONE]: 0 }[this.natStrategy],
      natGatewayProvider: natInstances,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        // Nothing launched here needs a public IP of its own: load balancers and NAT get theirs.
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: cidrBits + 8, mapPublicIpOnLaunch: false },
        { name: 'Private', subnetType: privateType, cidrMask: cidrBits + 4 },
        { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: cidrBits + 8 },
      ],
    });
    this.publicSubnets = { subnetGroupName: 'Public' };
    this.appSubnets = { subnetGroupName: 'Private' };
    this.dataSubnets = { subnetGroupName: 'Isolated' };
    if (natInstances) hardenNatInstances(this, natInstances, cidr);
    this.natInstances = natInstances?.gatewayInstances ?? [];
    this.natRecoveryAlarms = natInstances ? natRecoveryAlarms(this, natInstances) : [];

    const key = props.encryptionKey ?? rotatingKey(this, 'FlowLogKey', 'shipshape VPC flow logs');
    if (!props.encryptionKey) allowLogsToUseKey(key);
    this.flowLogGroup = encryptedLogGroup(this, 'FlowLogGroup', {
      key,
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
      maxAggregationInterval: ec2.FlowLogMaxAggregationInterval.ONE_MINUTE,
    });

    // Free, and keeps ECR image layers (stored in S3) off the NAT gateways' per-GB bill.
    this.vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    this.interfaceEndpoints = withNat ? {} : this.addTaskEndpoints(cidr);
    this.acknowledgeFindings();
  }

  private addTaskEndpoints(cidr: string): Record<string, ec2.InterfaceVpcEndpoint> {
    const securityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'HTTPS from inside the VPC to its AWS service endpoints',
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'HTTPS from the VPC');
    return Object.fromEntries(
      Object.entries(TASK_ENDPOINTS).map(([name, service]) => [
        name,
        this.vpc.addInterfaceEndpoint(`${name}Endpoint`, {
          service,
          subnets: this.appSubnets,
          privateDnsEnabled: true,
          open: false,
          securityGroups: [securityGroup],
        }),
      ]),
    );
  }

  /** Findings the policy packs raise on this network, each acknowledged where it arises. */
  private acknowledgeFindings(): void {
    for (const subnet of this.vpc.publicSubnets) {
      const route = subnet.node.tryFindChild('DefaultRoute');
      if (!route) continue;
      Validations.of(route).acknowledge({
        id: 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
        reason:
          'Public subnets hold only the internet-facing load balancer and the NAT gateways or instances, which all need a default ' +
          'route to the internet gateway; nothing in them gets a public IP on launch, and tasks run in private subnets.',
      });
    }
    const flowLogPolicy = this.vpc.node.findAll().find((c) => c.node.path.endsWith('FlowLog/IAMRole/DefaultPolicy'));
    if (flowLogPolicy) {
      Validations.of(flowLogPolicy).acknowledge({
        id: 'NIST.800.53.R5-IAMNoInlinePolicy',
        reason:
          'The flow log role policy is generated by CDK for this one role and scoped to its own log group; ' +
          'it lives and dies with the role, which a shared managed policy would not.',
      });
    }
  }
}

function validateProps(props: ProductionNetworkProps, maxAzs: number): void {
  if (!Token.isUnresolved(maxAzs) && maxAzs !== 2 && maxAzs !== 3) {
    throw new Error(`ProductionNetwork: maxAzs must be 2 or 3 (got ${maxAzs}); one AZ is a single point of failure`);
  }
  if (props.natDevice !== undefined && !Object.values(NatDevice).includes(props.natDevice)) {
    throw new Error(`ProductionNetwork: natDevice must be one of ${Object.values(NatDevice).join(' | ')} (got ${String(props.natDevice)})`);
  }
  if (props.natInstanceType && props.natDevice !== NatDevice.INSTANCE) {
    throw new Error(`ProductionNetwork: natInstanceType ${props.natInstanceType.toString()} is set but natDevice is ${props.natDevice ?? NatDevice.GATEWAY}; set natDevice to NatDevice.INSTANCE or drop natInstanceType`);
  }
  if (props.natStrategy !== undefined && !Object.values(NatStrategy).includes(props.natStrategy)) {
    throw new Error(
      `ProductionNetwork: natStrategy must be one of ${Object.values(NatStrategy).join(' | ')} (got ${String(props.natStrategy)})`,
    );
  }
  // Subnet sizes are derived from the range, so it must be known at synth: no tokens.
  if (props.cidr !== undefined && !VPC_CIDR_PATTERN.test(props.cidr)) {
    throw new Error(`ProductionNetwork: cidr must be a literal IPv4 block from /16 to /24, such as 10.0.0.0/16 (got ${props.cidr})`);
  }
  if (props.availabilityZones && props.availabilityZones.length !== maxAzs) {
    throw new Error(
      `ProductionNetwork: availabilityZones lists ${props.availabilityZones.length} zones but maxAzs is ${maxAzs}; list exactly maxAzs zones`,
    );
  }
}

/**
 * In an environment-agnostic stack CDK offers only two AZ tokens; pick the first `count` of the
 * region's zones at deploy time instead, so 3 AZs need no lookup either. A stack with a known
 * environment uses its own (looked-up or cached) zone list.
 */
function azSelection(scope: Construct, named: string[] | undefined, count: number): Partial<ec2.VpcProps> {
  if (named) return { availabilityZones: named };
  const stack = Stack.of(scope);
  if (!Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region)) return { maxAzs: count };
  return { availabilityZones: Array.from({ length: count }, (_, i) => Fn.select(i, Fn.getAzs())) };
}
