import { Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ProductionNetwork } from '../../constructs';
import type { ShipshapeConfig } from '../config';

export interface StatefulStackProps extends StackProps {
  readonly config: ShipshapeConfig;
}

/**
 * What holds data or is slow to rebuild: the network now; the database, secrets, backups and
 * restore drills as they arrive. Termination protection is on: deleting it is a decision.
 */
export class StatefulStack extends Stack {
  public readonly network: ProductionNetwork;
  private readonly configuredAzs?: string[];

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, { terminationProtection: true, ...props });
    this.configuredAzs = props.config.network.availabilityZones ? [...props.config.network.availabilityZones] : undefined;
    Tags.of(this).add('shipshape:layer', 'stateful');
    const { network } = props.config;
    this.network = new ProductionNetwork(this, 'Network', {
      maxAzs: network.maxAzs,
      availabilityZones: this.configuredAzs,
      natStrategy: network.natStrategy,
      cidr: network.cidr,
      flowLogRetention: network.flowLogRetentionDays,
    });
  }

  /** The configured zones when there are any: a stack with an explicit environment then needs no AZ lookup. */
  public override get availabilityZones(): string[] {
    return this.configuredAzs ?? super.availabilityZones;
  }
}
