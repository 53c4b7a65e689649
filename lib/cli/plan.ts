import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { ConfigError, loadConfig, type ShipshapeConfig } from '../config';
import { buildPlan, type CfnTemplate, formatPlan, PlanError, type PlanReport, pricesFor } from '../plan';
import { addPolicyPacks, readFindings } from '../policy';
import { buildReferenceApp } from '../reference-app';
import { CliError } from './cli-context';
import { type CliCommand, JSON_OPTION } from './command';

export interface PlanOptions {
  readonly json: boolean;
  /** A configuration file, read instead of shipshape.config.json beside cdk.json. */
  readonly config?: string;
  /** A synthesized cloud assembly (`cdk.out` of any app) to read instead of synthesizing the reference app. */
  readonly assembly?: string;
  /** The region to price in. @default the configuration's env.region, else us-east-1 */
  readonly region?: string;
  /** The folder holding cdk.json. */
  readonly root: string;
  readonly out: (line: string) => void;
  /** Progress lines for a person watching; none in --json or non-TTY mode. */
  readonly progress: (line: string) => void;
}

interface Synthesized {
  readonly directory: string;
  readonly profile?: string;
  readonly region?: string;
}

function readJson<T>(file: string, what: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new CliError(`${what}: cannot read ${file} as JSON (${(error as Error).message})`, 2);
  }
}

/** Synthesizes the reference app as `cdk synth` does, with the policy packs, into a temporary folder. */
function synthesizeReference(options: PlanOptions): Synthesized {
  const cdkJson = readJson<{ context?: Record<string, unknown> }>(path.join(options.root, 'cdk.json'), 'cdk.json');
  const context = { ...cdkJson.context };
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-plan-')), context });
  let config: ShipshapeConfig;
  try {
    config = loadConfig(app.node, { directory: options.root, configFile: options.config });
    // Refuses, before any synth, a production app whose alarms would reach nobody.
    buildReferenceApp(app, config);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 2);
    throw error;
  }
  options.progress(`Synthesizing the reference app (${config.profile} profile) with the policy packs...`);
  addPolicyPacks(app);
  try {
    app.synth();
  } catch (error) {
    // An error-level finding stops CDK's synth after the templates are written: report it.
    if (readFindings(app.outdir).length === 0) throw error;
  }
  return { directory: app.outdir, profile: config.profile, region: config.env?.region };
}

/** The stacks of an assembly, from its manifest. */
function readStacks(directory: string): Array<{ name: string; template: CfnTemplate }> {
  const manifest = readJson<{ artifacts?: Record<string, { type: string; properties?: { templateFile?: string }; displayName?: string }> }>(
    path.join(directory, 'manifest.json'),
    '--assembly',
  );
  return Object.entries(manifest.artifacts ?? {})
    .filter(([, a]) => a.type === 'aws:cloudformation:stack' && a.properties?.templateFile)
    .map(([id, a]) => ({ name: a.displayName ?? id, template: readJson<CfnTemplate>(path.join(directory, a.properties?.templateFile as string), 'template') }));
}

/** `shipshape plan`: policy findings, recovery figures and a monthly cost estimate per stack. */
export function plan(options: PlanOptions): PlanReport {
  refuseEarly(options);
  const synthesized = options.assembly ? { directory: options.assembly } : synthesizeReference(options);
  options.progress('Reading findings, recovery settings and prices from the templates...');
  const stacks = readStacks(synthesized.directory);
  if (stacks.length === 0) throw new CliError(`No stacks in the assembly at ${synthesized.directory}`, 2);
  let report: PlanReport;
  try {
    report = buildPlan({
      stacks,
      openFindings: readFindings(synthesized.directory),
      region: options.region ?? synthesized.region ?? 'us-east-1',
      profile: synthesized.profile,
    });
  } catch (error) {
    if (error instanceof PlanError) throw new CliError(error.message, 2);
    throw error;
  }
  if (options.json) options.out(JSON.stringify(report, null, 2));
  else for (const line of formatPlan(report)) options.out(line);
  return report;
}

/** Refusals that need no synth: an unpriced region, a missing assembly or configuration file. */
function refuseEarly(options: PlanOptions): void {
  try {
    if (options.region !== undefined) pricesFor(options.region);
  } catch (error) {
    if (error instanceof PlanError) throw new CliError(`--region: ${error.message}`, 2);
    throw error;
  }
  if (options.assembly !== undefined && !fs.existsSync(path.join(options.assembly, 'manifest.json'))) {
    throw new CliError(`--assembly: ${options.assembly} is not a cloud assembly (no manifest.json); give the output folder of \`cdk synth\` (cdk.out)`, 2);
  }
  if (options.config !== undefined && !fs.existsSync(options.config)) throw new CliError(`--config: no file ${options.config}`, 2);
}

export const planCommand: CliCommand = {
  name: 'plan',
  summary: 'findings, recovery figures, who alarms reach and monthly cost, per stack',
  description:
    'Synthesizes the reference app (as `cdk synth` does, with the policy packs) or reads an assembly, and reports per stack:\n' +
    'open and acknowledged policy findings, recovery figures, who the alarms reach, and a monthly cost estimate. Needs no\n' +
    'AWS credentials and changes nothing.',
  options: {
    json: JSON_OPTION,
    config: { type: 'string', value: 'F', description: 'a configuration file, instead of shipshape.config.json beside cdk.json' },
    assembly: { type: 'string', value: 'DIR', description: 'a synthesized cloud assembly (cdk.out of any app) to read instead of synthesizing' },
    region: { type: 'string', value: 'R', description: "the region to price in (default: the configuration's env.region, else us-east-1)" },
  },
  examples: ['shipshape plan', 'shipshape plan --assembly cdk.out --region eu-west-1 --json'],
  exitCodes: { 0: 'the report was printed (open findings are listed, not an error)', 1: 'the app failed to synthesize', 2: 'bad usage: an unpriced --region, a missing --assembly or --config, an invalid configuration' },
  run: (values, io) => {
    const json = values.json === true;
    const tty = process.stderr.isTTY && !json;
    plan({
      json,
      config: values.config as string | undefined,
      assembly: values.assembly as string | undefined,
      region: values.region as string | undefined,
      root: process.cwd(),
      out: io.ctx.out,
      progress: tty ? io.err : () => undefined,
    });
  },
};
