import { Annotations, CfnRule, Fn, type Stack } from 'aws-cdk-lib';

/**
 * Makes CloudFormation refuse every create and update of `stack`, before it touches any resource,
 * with `reason` as the error: a template rule whose assertion never holds. The synth still works,
 * so `cdk synth`, `cdk diff` and `shipshape plan` show what would be deployed, and say why it
 * would be refused.
 *
 * "If you don't define a rule condition, the rule's assertions always take effect", and rules are
 * validated "before creating or updating any resources":
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/rules-section-structure.html
 */
export function refuseDeploy(stack: Stack, id: string, reason: string): CfnRule {
  Annotations.of(stack).addInfo(`cdk deploy of ${stack.stackName} will be refused by CloudFormation: ${reason}`);
  return new CfnRule(stack, id, {
    assertions: [{ assert: Fn.conditionEquals('refused', 'deployable'), assertDescription: reason }],
  });
}
