import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config';
import { addPolicyPacks, synthWithPolicyGate } from '../../lib/policy';
import { buildReferenceApp, type ReferenceApp, type ReferenceAppOptions } from '../../lib/reference-app';

const ROOT = path.resolve(__dirname, '../..');

/** The context `cdk.json` gives the app: its feature flags (the configuration is in shipshape.config.json). */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

/**
 * What the tests add to the shipped configuration: its owner is a placeholder (example.com receives
 * no mail), so the production profile would refuse alarms that reach nobody. A webhook secret is a
 * recipient that names no address; nothing is deployed.
 */
export const TEST_ALARM_RECIPIENT = { 'shipshape.alarms.webhookSecrets': ['shipshape-tests/alarm-webhook'] };

/** An App as `cdk synth` builds it, writing to a fresh temporary directory. */
export function newApp(context: Record<string, unknown> = {}): App {
  return new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-test-')),
    context: { ...cdkJsonContext(), ...TEST_ALARM_RECIPIENT, ...context },
  });
}

/** The configuration as `cdk synth` reads it in the repository: shipshape.config.json, then the App's `-c` style context. */
export function loadReferenceConfig(app: App) {
  return loadConfig(app.node, { directory: ROOT });
}

export interface SynthesizedReferenceApp extends ReferenceApp {
  readonly stateful: ReferenceApp['stateful'];
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
  /** The cloud assembly written (templates, asset manifests). */
  readonly assemblyDirectory: string;
}

/**
 * Builds and synthesizes the reference app the way `bin/app.ts` does, with the policy packs
 * and the gate: throws on any unacknowledged finding. `context` adds `-c` style overrides.
 */
export function synthReferenceApp(context: Record<string, unknown> = {}, options: ReferenceAppOptions = {}): SynthesizedReferenceApp {
  const app = newApp(context);
  const stacks = buildReferenceApp(app, loadReferenceConfig(app), options);
  addPolicyPacks(app);
  const assembly = synthWithPolicyGate(app);
  const template = (name: string) =>
    Template.fromJSON(
      JSON.parse(fs.readFileSync(path.join(assembly.directory, `${name}.template.json`), 'utf8')) as Record<string, unknown>,
    );
  return {
    ...stacks,
    assemblyDirectory: assembly.directory,
    statefulTemplate: template(stacks.stateful.artifactId),
    statelessTemplate: template(stacks.stateless.artifactId),
  };
}
