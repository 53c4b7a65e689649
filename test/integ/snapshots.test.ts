import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readFindings } from '../../lib/policy';
import { INTEG_DIR, integContext, integTestFiles, REFRESH_COMMAND, snapshotDifferences, snapshotDir } from './support/snapshots';

/**
 * The deploy-time proofs (test/integ/integ.*.ts, run against an account with integ-runner) are
 * checked here without credentials: each app synthesizes, its stacks pass the policy packs, and its
 * templates equal the committed snapshot but for asset hashes.
 */
const files = integTestFiles();

test('every capability has an integ test', () => {
  expect(files).toEqual(['integ.alarms.ts', 'integ.blue-green.ts', 'integ.restore-drill.ts', 'integ.rotation.ts', 'integ.service.ts']);
});

describe.each(files)('%s', (file) => {
  let outdir: string;

  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-integ-'));
    const saved = { outdir: process.env.CDK_OUTDIR, context: process.env.CDK_CONTEXT_JSON };
    process.env.CDK_OUTDIR = outdir;
    process.env.CDK_CONTEXT_JSON = JSON.stringify(integContext());
    try {
      // The app synthesizes when its module runs, as it does under integ-runner.
      jest.requireActual(path.join(INTEG_DIR, file));
    } finally {
      process.env.CDK_OUTDIR = saved.outdir;
      process.env.CDK_CONTEXT_JSON = saved.context;
      if (saved.outdir === undefined) delete process.env.CDK_OUTDIR;
    }
    // A synth takes 5-20 s of CPU; on a shared machine the wall time can pass the default timeout.
  }, 180_000);

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('passes the policy packs with no unacknowledged finding', () => {
    expect(readFindings(outdir)).toEqual([]);
  });

  test('matches its committed snapshot (asset hashes aside)', () => {
    const snapshot = snapshotDir(file);
    const refresh = `Refresh it with \`${REFRESH_COMMAND} ${file}\` and review the diff.`;
    if (!fs.existsSync(path.join(snapshot, 'manifest.json'))) throw new Error(`${file} has no snapshot. ${refresh}`);
    const differences = snapshotDifferences(snapshot, outdir);
    if (differences.length > 0) {
      throw new Error(`${file} no longer synthesizes its committed snapshot:\n${differences.map((d) => `  ${d}`).join('\n')}\n${refresh}`);
    }
  });
});
