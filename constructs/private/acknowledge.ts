import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Acknowledges one policy finding on `construct` (and its children), with the reason it is safe there. */
export function acknowledge(construct: IConstruct | undefined, id: string, reason: string): void {
  if (construct) Validations.of(construct).acknowledge({ id, reason });
}
