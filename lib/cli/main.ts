import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { type CliContext, CliError, explainAwsError } from './cli-context';
import { drillRun, drillStatus } from './drill';
import { plan } from './plan';
import { rollback } from './rollback';
import { status } from './status';

const USAGE = `Usage:
  shipshape drill run [--stack S] [--wait] [--json]     start a restore drill (and follow it)
  shipshape drill status [--stack S] [--last N] [--json] the last drills: outcome, RTO, RPO, checks
  shipshape rollback [--stack S] [--service ARN] [--yes] [--json]
                                                        stop a deployment with rollback, or redeploy the previous release
  shipshape status [--stack S] [--service ARN] [--last N] [--json]
                                                        current and previous revisions, last deployments and releases
  shipshape plan [--json] [--config F] [--assembly DIR] [--region R]
                                                        findings, recovery figures and monthly cost, per stack

--stack defaults to shipshape-stateful for drill, shipshape-stateless for rollback and status.
Credentials and region come from the usual AWS environment (AWS_PROFILE, AWS_REGION); plan needs
neither.`;

export function defaultContext(): CliContext {
  return {
    cloudformation: new CloudFormationClient({}),
    sfn: new SFNClient({}),
    s3: new S3Client({}),
    ecs: new ECSClient({}),
    codepipeline: new CodePipelineClient({}),
    out: (line) => process.stdout.write(`${line}\n`),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/** Runs one CLI invocation; returns the process exit code. */
export async function main(argv: string[], ctx: CliContext, err: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      stack: { type: 'string' },
      service: { type: 'string' },
      yes: { type: 'boolean', default: false },
      config: { type: 'string' },
      assembly: { type: 'string' },
      region: { type: 'string' },
      wait: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      last: { type: 'string', default: '5' },
      help: { type: 'boolean', default: false },
    },
  });
  const [group, command] = positionals;
  const drill = group === 'drill' && ['run', 'status'].includes(command ?? '');
  const service = (group === 'rollback' || group === 'status' || group === 'plan') && command === undefined;
  if (values.help || !(drill || service)) {
    (values.help ? ctx.out : err)(USAGE);
    return values.help ? 0 : 2;
  }
  const stack = values.stack ?? (drill ? 'shipshape-stateful' : 'shipshape-stateless');
  try {
    const last = Number(values.last);
    if (!Number.isInteger(last) || last < 1 || last > 100) throw new CliError(`--last: a whole number from 1 to 100 (got ${values.last})`, 2);
    if (group === 'plan') {
      const tty = process.stderr.isTTY && !values.json;
      plan({ json: values.json, config: values.config, assembly: values.assembly, region: values.region, root: process.cwd(), out: ctx.out, progress: tty ? err : () => undefined });
    } else if (group === 'rollback') await rollback(ctx, { stack, service: values.service, yes: values.yes, json: values.json });
    else if (group === 'status') await status(ctx, { stack, service: values.service, last, json: values.json });
    else if (command === 'run') await drillRun(ctx, { stack, wait: values.wait, json: values.json });
    else await drillStatus(ctx, { stack, last, json: values.json });
    return 0;
  } catch (error) {
    const explained = explainAwsError(error);
    err(`shipshape: ${explained.message}`);
    return explained instanceof CliError ? explained.exitCode : 1;
  }
}
