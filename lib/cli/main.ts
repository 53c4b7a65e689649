import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { alarmsCommand } from './alarms';
import { type CliContext, CliError, explainAwsError } from './cli-context';
import { appStackName } from './app-config';
import { type CliCommand, type CommandIo, commandHelp, didYouMean, optionsOf, packageVersion } from './command';
import { configShowCommand, configValidateCommand } from './config-command';
import { drillRunCommand, drillStatusCommand } from './drill';
import { logsCommand } from './logs';
import { planCommand } from './plan';
import { releaseCommand } from './release';
import { rollbackCommand } from './rollback';
import { statusCommand } from './status';

/** Every command, in the order `shipshape --help` lists them. A new command is one entry here, its code in its own file. */
export const COMMANDS: readonly CliCommand[] = [
  drillRunCommand,
  drillStatusCommand,
  releaseCommand,
  rollbackCommand,
  statusCommand,
  alarmsCommand,
  logsCommand,
  planCommand,
  configValidateCommand,
  configShowCommand,
];

const EXIT_CODES = '0 done; 1 the operation failed (AWS said no, a drill or rollback failed); 2 bad usage, nothing changed without --yes, or no AWS credentials/region.';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'Usage: shipshape <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run `shipshape <command> --help` for its options, an example and its exit codes.',
    '`shipshape --version` prints the version.',
    `Exit codes: ${EXIT_CODES}`,
    'Credentials and region come from the usual AWS environment (AWS_PROFILE, AWS_REGION); plan needs neither.',
  ].join('\n');
}

export function defaultContext(): CliContext {
  return {
    cloudformation: new CloudFormationClient({}),
    sfn: new SFNClient({}),
    s3: new S3Client({}),
    ecs: new ECSClient({}),
    codepipeline: new CodePipelineClient({}),
    ecr: new ECRClient({}),
    cloudwatch: new CloudWatchClient({}),
    logs: new CloudWatchLogsClient({}),
    out: (line) => process.stdout.write(`${line}\n`),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/** The command `argv` names (its leading words), and the arguments after them. */
function findCommand(argv: readonly string[]): { command: CliCommand; rest: string[] } {
  const words: string[] = [];
  for (const arg of argv.slice(0, 2)) {
    if (arg.startsWith('-')) break;
    words.push(arg);
  }
  const command = COMMANDS.find((c) => c.name === words.slice(0, c.name.split(' ').length).join(' '));
  if (command) return { command, rest: argv.slice(command.name.split(' ').length) };
  const groups = [...new Set(COMMANDS.map((c) => c.name.split(' ')[0]))];
  const [first, second] = words;
  const list = `commands: ${groups.join(', ')} (see shipshape --help)`;
  if (first === undefined) throw new CliError(`missing command: ${argv[0]} is an option, not a command; ${list}`, 2);
  const subcommands = COMMANDS.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.name.split(' ')[1]);
  if (subcommands.length > 0) {
    const which = subcommands.join(' | ');
    if (second === undefined) throw new CliError(`${first}: missing subcommand (${which}); e.g. shipshape ${first} ${subcommands[0]} --help`, 2);
    throw new CliError(`${first}: unknown subcommand "${second}"${didYouMean(second, subcommands)}; one of ${which}`, 2);
  }
  throw new CliError(`unknown command "${first}"${didYouMean(first, groups)}; ${list}`, 2);
}

/** A usage error of `node:util` parseArgs, in words that name the option and point at the help. */
function explainParseError(command: CliCommand, error: unknown): CliError | undefined {
  const { code, message } = error as { code?: string; message?: string };
  if (!code?.startsWith('ERR_PARSE_ARGS_')) return undefined;
  const quoted = /'([^']+)'/.exec(message ?? '')?.[1] ?? '';
  const help = `see \`shipshape ${command.name} --help\``;
  const options = Object.keys(optionsOf(command)).map((o) => `--${o}`);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const known = options.length > 0 ? `; its options: ${options.join(', ')}` : '; it takes no options';
    return new CliError(`${command.name}: unknown option ${quoted}${didYouMean(quoted, options)}${known} (${help})`, 2);
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new CliError(`${command.name}: unexpected argument "${quoted}" (${help})`, 2);
  // ERR_PARSE_ARGS_INVALID_OPTION_VALUE: a value missing, or given to a flag.
  const option = /--[\w-]+/.exec(message ?? '')?.[0] ?? quoted;
  const spec = optionsOf(command)[option.replace(/^--/, '')];
  const what = spec?.type === 'boolean' ? 'takes no value' : `needs a value (${option} ${spec?.value ?? 'VALUE'})`;
  return new CliError(`${command.name}: ${option} ${what} (${help})`, 2);
}

/** Runs one CLI invocation; returns the process exit code. */
export async function main(argv: string[], ctx: CliContext, err: (line: string) => void): Promise<number> {
  try {
    const [first] = argv;
    if (first === '--version' || first === '-V') {
      ctx.out(packageVersion());
      return 0;
    }
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      const topic = first === 'help' && argv.length > 1 ? findCommand(argv.slice(1)).command : undefined;
      (first === undefined ? err : ctx.out)(topic ? commandHelp(topic) : usage());
      return first === undefined ? 2 : 0;
    }
    const found = findCommand(argv);
    const { command } = found;
    const options = Object.fromEntries(
      Object.entries(optionsOf(command)).map(([name, { type, short, multiple }]) => [
        name,
        { type, ...(short ? { short } : {}), ...(multiple ? { multiple } : {}) },
      ]),
    );
    const end = found.rest.indexOf('--');
    const beforeEnd = end < 0 ? found.rest : found.rest.slice(0, end);
    if (beforeEnd.includes('--help') || beforeEnd.includes('-h')) {
      ctx.out(commandHelp(command));
      return 0;
    }
    let values;
    let positionals: string[];
    const declared = command.arguments ?? [];
    try {
      ({ values, positionals } = parseArgs({ args: found.rest, options, strict: true, allowPositionals: declared.length > 0 }));
    } catch (error) {
      throw explainParseError(command, error) ?? error;
    }
    if (positionals.length > declared.length) throw new CliError(`${command.name}: unexpected argument "${positionals[declared.length]}" (see \`shipshape ${command.name} --help\`)`, 2);
    // The stacks are named by the appName of the configuration cdk deploy here reads (--config, else shipshape.config.json).
    const io: CommandIo = { ctx, err, positionals, defaultStack: (layer) => appStackName(layer, { root: process.cwd(), configFile: values.config as string | undefined }) };
    await command.run(values, io);
    return 0;
  } catch (error) {
    const explained = explainAwsError(error);
    err(`shipshape: ${explained.message}`);
    return explained instanceof CliError ? explained.exitCode : 1;
  }
}
