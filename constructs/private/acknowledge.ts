import { Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Acknowledges one policy finding on `construct` (and its children), with the reason it is safe there. */
export function acknowledge(construct: IConstruct | undefined, id: string, reason: string): void {
  if (construct) Validations.of(construct).acknowledge({ id, reason });
}

/**
 * A policy resource as cdk-nag names it in a wildcard finding (`Resource::…`): `value` resolved in its
 * stack and flattened as cdk-nag 3 does (`Ref` → `<LogicalId>`, `Fn::GetAtt` → `<LogicalId.Attribute>`,
 * `Fn::Join` joined, `${…}` → `<…>`). Built from the expression the policy holds, the finding follows
 * the stack's environment: `arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:…` from
 * `Stack.formatArn` in an environment-agnostic stack, `arn:aws:ecs:eu-west-1:111111111111:…` in one
 * with an explicit account and region, and `<AWS::Region>` in both from `Aws.REGION`.
 */
export function nagResource(scope: IConstruct, value: string): string {
  return `Resource::${Token.isUnresolved(value) ? flatten(Stack.of(scope).resolve(value) as CfnValue) : flatten(value)}`;
}

/** Acknowledges the `AwsSolutions-IAM5` finding of each wildcard resource in `resources` on `construct`. */
export function acknowledgeWildcards(construct: IConstruct | undefined, resources: string[], reason: string): void {
  if (!construct) return;
  for (const resource of resources) acknowledge(construct, `AwsSolutions-IAM5[${nagResource(construct, resource)}]`, reason);
}

type CfnValue = string | { Ref?: string; 'Fn::GetAtt'?: string[]; 'Fn::Join'?: [string, CfnValue[]]; 'Fn::Sub'?: CfnValue; 'Fn::ImportValue'?: CfnValue };

function flatten(value: CfnValue): string {
  if (typeof value === 'string') return value.replace(/\${/g, '<').replace(/}/g, '>');
  if (value['Fn::Join']) return value['Fn::Join'][1].map(flatten).join(value['Fn::Join'][0]);
  if (value['Fn::Sub']) return flatten(value['Fn::Sub']);
  if (value['Fn::GetAtt']) return `<${value['Fn::GetAtt'].join('.')}>`;
  if (value['Fn::ImportValue']) return flatten(value['Fn::ImportValue']);
  if (value.Ref) return `<${value.Ref}>`;
  return JSON.stringify(value);
}
