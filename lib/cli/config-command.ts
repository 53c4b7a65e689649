import * as path from 'node:path';
import { alarmRecipientProblems, type ConfigProblem, formatProblem, risksTaken } from '../config';
import { type AppConfigOptions, validateAppConfig } from './app-config';
import { CliError } from './cli-context';
import { type CliCommand, type CommandIo, JSON_OPTION, type OptionSpec, type OptionValues } from './command';

const CONTEXT_OPTION: OptionSpec = {
  type: 'string',
  short: 'c',
  value: 'KEY=VALUE',
  multiple: true,
  description: 'a -c override as cdk synth takes it (shipshape.service.desiredCount=3, shipshape:configFile=F); repeatable',
};
const FILE_OPTION: OptionSpec = { type: 'string', value: 'F', description: 'the configuration file (default: shipshape.config.json beside cdk.json)' };

/** The command line's `--config` and `-c` as the configuration reader takes them. */
function configOptions(values: OptionValues): AppConfigOptions {
  const context: Record<string, string> = {};
  for (const pair of (values.context as string[] | undefined) ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliError(`-c ${pair}: give KEY=VALUE, e.g. -c shipshape.profile=budget`, 2);
    context[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { root: process.cwd(), configFile: values.config as string | undefined, context };
}

function where(file: string | undefined): string {
  return file ? path.relative(process.cwd(), file) || file : 'cdk.json context (no shipshape.config.json)';
}

function refuse(problems: readonly ConfigProblem[], file: string | undefined): never {
  const lines = problems.map((p) => `  - ${formatProblem(p)}`);
  throw new CliError(`${where(file)}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${lines.join('\n')}`, 1);
}

/**
 * `shipshape config validate`: every problem at once, as cdk synth would report them, and what
 * would stop the deploy (in production, alarms that reach nobody); exit 1 when there is one.
 */
export function configValidate(values: OptionValues, io: CommandIo): void {
  const validated = validateAppConfig(configOptions(values));
  const { gathered, config } = validated;
  const problems = config ? [...validated.problems, ...alarmRecipientProblems(config)] : validated.problems;
  if (values.json === true) {
    io.ctx.out(JSON.stringify({ file: gathered.file, valid: problems.length === 0, problems }, null, 2));
    if (problems.length > 0) throw new CliError(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the configuration`, 1);
    return;
  }
  if (!config || problems.length > 0) refuse(problems, gathered.file);
  const accepted = risksTaken(config).map((risk) => `${risk} (${config.acceptedRisks[risk] ?? `the ${config.profile} profile allows it`})`);
  io.ctx.out(`${where(gathered.file)}: valid. Profile ${config.profile}; stacks ${config.appName}-stateful and ${config.appName}-stateless.`);
  if (accepted.length > 0) io.ctx.out(`Risks taken: ${accepted.join('; ')}.`);
}

/** Every leaf of the resolved configuration, by dotted path (lists are leaves). */
function leaves(value: unknown, at: string[] = []): Array<[string[], unknown]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || (at.length > 0 && Object.keys(value).length === 0)) return [[at, value]];
  return Object.entries(value).flatMap(([key, inner]) => (inner === undefined ? [] : leaves(inner, [...at, key])));
}

/** `shipshape config show`: the resolved configuration, each value with where it came from. */
export function configShow(values: OptionValues, io: CommandIo): void {
  const { gathered, problems, config, sourceOf } = validateAppConfig(configOptions(values));
  if (!config) refuse(problems, gathered.file);
  const rows = leaves(config).map(([at, value]) => ({ path: at.join('.'), value, source: sourceOf(at) }));
  if (values.json === true) {
    const sources = Object.fromEntries(rows.map((r) => [r.path, r.source.name]));
    io.ctx.out(JSON.stringify({ file: gathered.file, config, sources }, null, 2));
    return;
  }
  io.ctx.out(`Configuration from ${where(gathered.file)} (profile ${config.profile}; stacks ${config.appName}-stateful, ${config.appName}-stateless)`);
  const shown = rows.map((r) => ({ ...r, text: typeof r.value === 'string' ? r.value : JSON.stringify(r.value) }));
  const width = Math.max(...shown.map((r) => r.path.length)) + 2;
  const valueWidth = Math.min(40, Math.max(...shown.map((r) => r.text.length)));
  for (const r of shown) io.ctx.out(`  ${r.path.padEnd(width)}${r.text.padEnd(valueWidth)}  ${r.source.name}`);
}

const EXIT_CODES = {
  0: 'the configuration is valid',
  1: 'the configuration has problems (each is listed with its path, the value and what is allowed)',
  2: 'bad usage: an unknown option, a --config file that is not there, a -c without =',
} as const;

export const configValidateCommand: CliCommand = {
  name: 'config validate',
  summary: 'check the configuration as cdk synth would, every problem at once',
  description:
    'Reads the configuration as cdk synth does (cdk.json\'s "shipshape" context, then shipshape.config.json or the --config file,\n' +
    'then -c overrides) and checks it in one pass: types, ranges, Fargate sizes, keys of the other database engine, PostgreSQL\n' +
    'versions and the production profile\'s risks. Needs no AWS credentials.',
  options: { config: FILE_OPTION, context: CONTEXT_OPTION, json: JSON_OPTION },
  examples: ['shipshape config validate', 'shipshape config validate --config prod.json -c shipshape.service.desiredCount=4'],
  exitCodes: EXIT_CODES,
  run: configValidate,
};

export const configShowCommand: CliCommand = {
  name: 'config show',
  summary: 'the resolved configuration, each value with where it came from',
  description:
    'Prints every setting of the configuration after the profile\'s defaults, with where each value came from: the file,\n' +
    'cdk.json, a -c override, the profile, or the built-in default. Needs no AWS credentials.',
  options: { config: FILE_OPTION, context: CONTEXT_OPTION, json: JSON_OPTION },
  examples: ['shipshape config show', 'shipshape config show --config prod.json --json'],
  exitCodes: { ...EXIT_CODES, 0: 'shown' },
  run: configShow,
};
