import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App, Stack } from 'aws-cdk-lib';
import { addPolicyPacks, type PolicyFinding, readFindings } from '../../lib/policy';

/**
 * Synthesizes `app` with the policy packs and returns `stack`'s template as written with every
 * finding, instead of throwing at the first: a finding stops synthesis after the template is written.
 */
export function synthWithFindings(app: App, stack: Stack): { readonly template: Record<string, unknown>; readonly findings: readonly PolicyFinding[] } {
  addPolicyPacks(app);
  try {
    app.synth();
  } catch {
    // The findings are read below.
  }
  const template = JSON.parse(fs.readFileSync(path.join(app.outdir, `${stack.artifactId}.template.json`), 'utf8')) as Record<string, unknown>;
  return { template, findings: readFindings(app.outdir) };
}
