import { Fn, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ProductionNetwork, ResilientDatabase } from '../../constructs';
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
  public readonly database: ResilientDatabase;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, { terminationProtection: true, ...props });
    Tags.of(this).add('shipshape:layer', 'stateful');
    const { network } = props.config;
    this.network = new ProductionNetwork(this, 'Network', {
      maxAzs: network.maxAzs,
      natStrategy: network.natStrategy,
      cidr: network.cidr,
      flowLogRetention: network.flowLogRetentionDays,
    });
    this.database = new ResilientDatabase(this, 'Database', {
      vpc: this.network.vpc,
      vpcSubnets: this.network.dataSubnets,
      functionSubnets: this.network.appSubnets,
      applicationUser: {},
    });
  }

  /**
   * The region's first three zones, resolved at deploy time (`Fn::GetAZs`), even when the stack
   * has an explicit environment: synth never needs an AZ lookup (AWS credentials), and no zone
   * name is hardcoded in the template.
   */
  public override get availabilityZones(): string[] {
    return [0, 1, 2].map((i) => Fn.select(i, Fn.getAzs()));
  }
}
