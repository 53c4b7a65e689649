import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { type CliContext, CliError, explainAwsError } from './cli-context';
import { drillRun, drillStatus } from './drill';

const USAGE = `Usage:
  shipshape drill run [--stack S] [--wait] [--json]     start a restore drill (and follow it)
  shipshape drill status [--stack S] [--last N] [--json] the last drills: outcome, RTO, RPO, checks

--stack defaults to shipshape-stateful. Credentials and region come from the usual AWS
environment (AWS_PROFILE, AWS_REGION).`;

export function defaultContext(): CliContext {
  return {
    cloudformation: new CloudFormationClient({}),
    sfn: new SFNClient({}),
    s3: new S3Client({}),
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
      stack: { type: 'string', default: 'shipshape-stateful' },
      wait: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      last: { type: 'string', default: '5' },
      help: { type: 'boolean', default: false },
    },
  });
  const [group, command] = positionals;
  if (values.help || group !== 'drill' || !['run', 'status'].includes(command ?? '')) {
    (values.help ? ctx.out : err)(USAGE);
    return values.help ? 0 : 2;
  }
  try {
    if (command === 'run') {
      await drillRun(ctx, { stack: values.stack, wait: values.wait, json: values.json });
    } else {
      const last = Number(values.last);
      if (!Number.isInteger(last) || last < 1 || last > 100) throw new CliError(`--last: a whole number from 1 to 100 (got ${values.last})`, 2);
      await drillStatus(ctx, { stack: values.stack, last, json: values.json });
    }
    return 0;
  } catch (error) {
    const explained = explainAwsError(error);
    err(`shipshape: ${explained.message}`);
    return explained instanceof CliError ? explained.exitCode : 1;
  }
}
