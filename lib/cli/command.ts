import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliContext } from './cli-context';
import { CliError } from './cli-context';

/** One option of a command, as `parseArgs` takes it plus what its help says. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The placeholder after the option in the help (`--stack S`); string options only. */
  readonly value?: string;
  readonly description: string;
  /** Repeatable (`--filter a --filter b`). */
  readonly multiple?: boolean;
}

export type OptionValues = Readonly<Record<string, string | boolean | Array<string | boolean> | undefined>>;

/** What a command gets besides its parsed options. */
export interface CommandIo {
  readonly ctx: CliContext;
  /** Errors and progress, for a person (stderr). */
  readonly err: (line: string) => void;
  /** The arguments after the command's name that are not options, in order (at most as many as it declares). */
  readonly positionals: readonly string[];
  /** The stack of the app's `layer` when `--stack` is not given. */
  readonly defaultStack: (layer: 'stateful' | 'stateless') => string;
}

/** One `shipshape` command: its name (one or two words), options, help and code. */
export interface CliCommand {
  /** `rollback`, or `drill run` for a subcommand. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** What it does, a few lines for its own help. */
  readonly description: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /**
   * The arguments it takes besides options (`release <version>`), in order.
   * @default - none: an argument is a usage error
   */
  readonly arguments?: ReadonlyArray<{ readonly name: string; readonly description: string }>;
  readonly examples: readonly string[];
  /** What exit codes 1 and 2 mean for this command, beyond the general meaning. */
  readonly exitCodes: Readonly<Record<0 | 1 | 2, string>>;
  run(values: OptionValues, io: CommandIo): Promise<void> | void;
}

/** Options most commands share. */
export const JSON_OPTION: OptionSpec = { type: 'boolean', description: 'print JSON instead of text (for scripts)' };
export const stackOption = (layer: 'stateful' | 'stateless'): OptionSpec => ({
  type: 'string',
  value: 'S',
  description: `the ${layer} stack to read (default: the app's ${layer} stack, <appName>-${layer})`,
});
export const SERVICE_OPTION: OptionSpec = { type: 'string', value: 'ARN', description: "an ECS service ARN, instead of the stack's service" };
export const LAST_OPTION: OptionSpec = { type: 'string', value: 'N', description: 'how many to list, 1 to 100 (default: 5)' };

export const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'this help' };

/** Every command reads the app's configuration, as cdk synth there does: its appName names the stacks. */
export const CONFIG_OPTION: OptionSpec = {
  type: 'string',
  value: 'F',
  description: 'the configuration file whose appName names the stacks (default: shipshape.config.json beside cdk.json)',
};

/** A command's options with those every command takes (`--config`, `--help`). */
export function optionsOf(command: CliCommand): Readonly<Record<string, OptionSpec>> {
  return { ...command.options, config: command.options.config ?? CONFIG_OPTION, help: HELP_OPTION };
}

/** The `--last` value as a whole number from 1 to 100, or a usage error naming it. */
export function lastOf(values: OptionValues): number {
  const raw = (values.last as string | undefined) ?? '5';
  const last = Number(raw);
  if (!Number.isInteger(last) || last < 1 || last > 100) throw new CliError(`--last: a whole number from 1 to 100 (got ${raw})`, 2);
  return last;
}

function optionLabel(name: string, spec: OptionSpec): string {
  const value = spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : '';
  return `${spec.short ? `-${spec.short}, ` : ''}--${name}${value}`;
}

/** A command's synopsis: `shipshape rollback [--stack S] [--yes]`. */
export function synopsis(command: CliCommand): string {
  const options = Object.entries(command.options).map(([name, spec]) => `[${optionLabel(name, spec).replace(/^-\w, /, '')}]`);
  const args = (command.arguments ?? []).map((a) => `<${a.name}>`);
  return ['shipshape', command.name, ...args, ...options].join(' ');
}

/** `shipshape <command> --help`: synopsis, what it does, options, examples and exit codes. */
export function commandHelp(command: CliCommand): string {
  const options = optionsOf(command);
  const labels = Object.entries(options).map(([name, spec]) => [optionLabel(name, spec), spec.description] as const);
  const width = Math.max(...labels.map(([label]) => label.length)) + 2;
  return [
    `Usage: ${synopsis(command)}`,
    '',
    command.description,
    '',
    ...(command.arguments?.length ? ['Arguments:', ...command.arguments.map((a) => `  <${a.name}>  ${a.description}`), ''] : []),
    'Options:',
    ...labels.map(([label, description]) => `  ${label.padEnd(width)}${description}`),
    '',
    command.examples.length > 1 ? 'Examples:' : 'Example:',
    ...command.examples.map((e) => `  ${e}`),
    '',
    'Exit codes:',
    ...([0, 1, 2] as const).map((code) => `  ${code}  ${command.exitCodes[code]}`),
    '',
    'Credentials and region come from the usual AWS environment (AWS_PROFILE, AWS_REGION).',
  ].join('\n');
}

/** Edit distance with transpositions (optimal string alignment), for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest of `candidates` to `word` when it is a likely typo, as " (did you mean X?)"; leading dashes do not count. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const bare = (s: string) => s.replace(/^-+/, '');
  const best = candidates
    .map((c) => ({ c, d: distance(bare(word), bare(c)) }))
    .filter(({ c, d }) => d <= Math.max(1, Math.floor(bare(c).length / 3)))
    .sort((a, b) => a.d - b.d)[0];
  return best ? ` (did you mean ${best.c}?)` : '';
}

/**
 * The version of the installed shipshape package: the nearest package.json named `shipshape` above
 * `from` (this folder when run from the repository with tsx, `dist/lib/cli` in the published package).
 */
export function packageVersion(from: string = __dirname): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'shipshape' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) throw new CliError(`cannot find shipshape's package.json above ${from}`);
  }
}
