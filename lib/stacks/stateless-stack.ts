import { Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ProductionNetwork } from '../../constructs';
import type { ShipshapeConfig } from '../config';

export interface StatelessStackProps extends StackProps {
  readonly config: ShipshapeConfig;
  /** The network from the stateful stack. */
  readonly network: ProductionNetwork;
}

/**
 * What can be replaced at any time without touching data: the service, its alarms and its
 * release pipeline. It only references the stateful stack, never the other way round.
 */
export class StatelessStack extends Stack {
  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    Tags.of(this).add('shipshape:layer', 'stateless');
  }
}
