import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { CliContext } from './cli-context';
import { CliError } from './cli-context';

/** The outputs of `stackName`, or a clear error when the stack is not there. */
export async function stackOutputs(ctx: CliContext, stackName: string): Promise<Record<string, string>> {
  return (await describeStack(ctx, stackName)).outputs;
}

/** The outputs and parameter values of `stackName`, or a clear error when the stack is not there. */
export async function describeStack(ctx: CliContext, stackName: string): Promise<{ outputs: Record<string, string>; parameters: Record<string, string> }> {
  let stacks;
  try {
    stacks = (await ctx.cloudformation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks;
  } catch (error) {
    if ((error as Error).message?.includes('does not exist')) {
      throw new CliError(`Stack ${stackName} not found in this account and region: deploy it, or name another with --stack.`);
    }
    throw error;
  }
  const outputs = stacks?.[0]?.Outputs ?? [];
  const parameters = stacks?.[0]?.Parameters ?? [];
  return {
    outputs: Object.fromEntries(outputs.filter((o) => o.OutputKey && o.OutputValue).map((o) => [o.OutputKey as string, o.OutputValue as string])),
    parameters: Object.fromEntries(parameters.filter((p) => p.ParameterKey && p.ParameterValue).map((p) => [p.ParameterKey as string, p.ParameterValue as string])),
  };
}

export function requireOutput(outputs: Record<string, string>, key: string, stackName: string, what: string): string {
  const value = outputs[key];
  if (!value) throw new CliError(`Stack ${stackName} has no ${what} (output ${key}): is it a shipshape stateful stack, deployed with this version?`);
  return value;
}
