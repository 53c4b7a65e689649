/**
 * Rewrites the committed snapshot of every integ test (or of those named), without credentials:
 *   npx tsx test/integ/support/update-snapshots.ts [integ.<capability>.ts ...]
 * Review the template changes (git diff) before committing them: the snapshot is what a deploy of
 * the test will create.
 *
 * With `--out <dir>` and one test, synthesizes that test's deployable cloud assembly instead (with
 * its Lambda bundles, same context as the snapshot), for `cdk deploy --app <dir>` while integ-runner
 * cannot read this aws-cdk-lib's assemblies (docs/integration-tests.md).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { INTEG_DIR, integContext, integTestFiles, pruneAssembly, snapshotDifferences, snapshotDir } from './snapshots';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = outIndex >= 0 ? args[outIndex + 1] : undefined;
if (outIndex >= 0 && !out) throw new Error('--out needs a directory');
const wanted = args.filter((_, i) => outIndex < 0 || (i !== outIndex && i !== outIndex + 1)).map((f) => path.basename(f));
const files = integTestFiles().filter((f) => wanted.length === 0 || wanted.includes(f));
if (files.length === 0) throw new Error(`No integ test matches ${wanted.join(', ')}; the tests are ${integTestFiles().join(', ')}`);
if (out && files.length !== 1) throw new Error(`--out synthesizes one test; name one of ${integTestFiles().join(', ')}`);

for (const file of files) {
  const started = Date.now();
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  if (out) {
    synthesize(file, path.resolve(out));
    process.stdout.write(`${out} synthesized in ${seconds()}\n`);
    continue;
  }
  const dir = snapshotDir(file);
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-snapshot-'));
  synthesize(file, fresh);
  pruneAssembly(fresh);
  // An unchanged test keeps its snapshot: a rewrite would only churn assertion salts and asset hashes.
  const changes = fs.existsSync(path.join(dir, 'manifest.json')) ? snapshotDifferences(dir, fresh) : ['new snapshot'];
  if (changes.length === 0) {
    fs.rmSync(fresh, { recursive: true, force: true });
    process.stdout.write(`${path.relative(process.cwd(), dir)} unchanged (${seconds()})\n`);
    continue;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(fresh, dir, { recursive: true });
  fs.rmSync(fresh, { recursive: true, force: true });
  process.stdout.write(`${path.relative(process.cwd(), dir)} updated (${seconds()}):\n${changes.map((c) => `  ${c}`).join('\n')}\n`);
}

function synthesize(file: string, dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  const result = spawnSync(process.execPath, ['--import', 'tsx', file], {
    cwd: INTEG_DIR,
    env: { ...process.env, CDK_OUTDIR: dir, CDK_CONTEXT_JSON: JSON.stringify(integContext()) },
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`${file}: synth failed (exit ${result.status}); see the output above`);
}
