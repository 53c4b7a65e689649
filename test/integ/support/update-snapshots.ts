/**
 * Rewrites the committed snapshot of every integ test (or of those named), without credentials:
 *   npx tsx test/integ/support/update-snapshots.ts [integ.<capability>.ts ...]
 * Review the template changes (git diff) before committing them: the snapshot is what a deploy of
 * the test will create.
 *
 * With `--out <dir>` and one test, synthesizes that test's deployable cloud assembly instead (Lambda
 * bundles included, same context as the snapshot), for `cdk deploy --app <dir>` while integ-runner
 * cannot read this aws-cdk-lib's assemblies (docs/integration-tests.md).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INTEG_DIR, integContext, integTestFiles, pruneAssembly, snapshotDir } from './snapshots';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = outIndex >= 0 ? args[outIndex + 1] : undefined;
if (outIndex >= 0 && !out) throw new Error('--out needs a directory');
const wanted = args.filter((_, i) => outIndex < 0 || (i !== outIndex && i !== outIndex + 1)).map((f) => path.basename(f));
const files = integTestFiles().filter((f) => wanted.length === 0 || wanted.includes(f));
if (files.length === 0) throw new Error(`No integ test matches ${wanted.join(', ')}; the tests are ${integTestFiles().join(', ')}`);
if (out && files.length !== 1) throw new Error(`--out synthesizes one test; name one of ${integTestFiles().join(', ')}`);

for (const file of files) {
  const dir = out ? path.resolve(out) : snapshotDir(file);
  fs.rmSync(dir, { recursive: true, force: true });
  const context: Record<string, unknown> = integContext();
  // A deployable assembly needs its Lambda bundles.
  if (out) delete context['aws:cdk:bundling-stacks'];
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', file], {
    cwd: INTEG_DIR,
    env: { ...process.env, CDK_OUTDIR: dir, CDK_CONTEXT_JSON: JSON.stringify(context) },
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`${file}: synth failed (exit ${result.status}); see the output above`);
  if (!out) pruneAssembly(dir);
  process.stdout.write(`${path.relative(process.cwd(), dir)} ${out ? 'synthesized' : 'updated'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
