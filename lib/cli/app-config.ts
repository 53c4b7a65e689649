import * as fs from 'node:fs';
import * as path from 'node:path';
import { type GatheredConfig, gatherConfig, rawConfigSchema, validateGathered } from '../config';
import { CliError } from './cli-context';

/** Where a command finds the app's configuration, as `cdk synth` there would. */
export interface AppConfigOptions {
  /** The folder holding cdk.json (the working directory). */
  readonly root: string;
  /** `--config F`: instead of shipshape.config.json beside cdk.json. */
  readonly configFile?: string;
  /** `-c key=value` pairs, as the CDK CLI would pass them. */
  readonly context?: Readonly<Record<string, string>>;
}

/** cdk.json's context in `root`; none when there is no cdk.json (the CLI run outside the app). */
function cdkJsonContext(root: string): Record<string, unknown> {
  const file = path.join(root, 'cdk.json');
  if (!fs.existsSync(file)) return {};
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
  } catch (error) {
    throw new CliError(`cannot read ${file} as JSON (${(error as Error).message})`, 2);
  }
}

/** The app's configuration put together as the app does: cdk.json's context, the file, `-c` on top. */
export function gatherAppConfig(options: AppConfigOptions): GatheredConfig {
  if (options.configFile !== undefined && !fs.existsSync(path.resolve(options.root, options.configFile))) {
    throw new CliError(`--config: no file ${options.configFile}`, 2);
  }
  return gatherConfig({ directory: options.root, configFile: options.configFile, context: { ...cdkJsonContext(options.root), ...options.context } });
}

/** Validates the gathered configuration (every problem at once). */
export function validateAppConfig(options: AppConfigOptions) {
  const gathered = gatherAppConfig(options);
  return { gathered, ...validateGathered(gathered) };
}

/**
 * The name of the app's `layer` stack, `<appName>-<layer>`, from the configuration `cdk deploy`
 * there reads. Only `appName` has to be valid: an operator can reach the stacks of an app whose
 * configuration has other problems.
 */
export function appStackName(layer: 'stateful' | 'stateless', options: AppConfigOptions): string {
  const gathered = gatherAppConfig(options);
  const from = gathered.file ? path.relative(options.root, gathered.file) || gathered.file : 'cdk.json';
  if (gathered.problems.length > 0) {
    throw new CliError(`cannot read the app's configuration to name its stacks: ${gathered.problems.map((p) => p.message).join('; ')}; fix it, or name the stack with --stack`, 2);
  }
  const appName = rawConfigSchema.shape.appName.safeParse(gathered.raw.appName ?? 'shipshape');
  if (!appName.success) {
    throw new CliError(`appName ${JSON.stringify(gathered.raw.appName)} (in ${from}) is not valid: ${appName.error.issues[0]?.message}; fix it, or name the stack with --stack`, 2);
  }
  return `${appName.data ?? 'shipshape'}-${layer}`;
}
