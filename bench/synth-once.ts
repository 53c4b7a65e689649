/**
 * One synth in a fresh process, as `cdk synth` runs it: `tsx bench/synth-once.ts reference|plain [outdir]`.
 * Without an outdir it synthesizes into a new folder (a first synth); with one, into that folder
 * as `cdk synth` does into cdk.out (bundles already there are reused).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { loadConfig } from '../lib/config';
import { addPolicyPacks, synthWithPolicyGate } from '../lib/policy';
import { buildReferenceApp } from '../lib/reference-app';
import { buildPlainApp } from './plain-stack';

const which = process.argv[2];
const context = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
const outdir = process.argv[3] ?? fs.mkdtempSync(path.join(os.tmpdir(), `bench-${which}-`));
const app = new App({ outdir, context });
if (which === 'reference') {
  buildReferenceApp(app, loadConfig(app.node, { directory: path.join(__dirname, '..') }));
  addPolicyPacks(app);
  synthWithPolicyGate(app);
} else if (which === 'plain') {
  buildPlainApp(app);
  app.synth();
} else {
  throw new Error('usage: synth-once.ts reference|plain');
}
if (!process.argv[3]) fs.rmSync(outdir, { recursive: true, force: true });
