import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readFindings } from '../../lib/policy';
import { canonicalTemplate, INTEG_DIR, integContext, integTestFiles, REFRESH_COMMAND, snapshotDir, stackTemplates } from './support/snapshots';

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
    const expected = stackTemplates(snapshot);
    const actual = stackTemplates(outdir);
    const differences = Object.keys({ ...expected, ...actual }).flatMap((stack) => templateDifferences(stack, expected[stack], actual[stack]));
    if (differences.length > 0) {
      throw new Error(`${file} no longer synthesizes its committed snapshot:\n${differences.map((d) => `  ${d}`).join('\n')}\n${refresh}`);
    }
  });
});

/** What differs between two stack templates, by section and logical id, asset hashes aside. */
function templateDifferences(stack: string, expected: unknown, actual: unknown): string[] {
  if (expected === undefined) return [`${stack}: a new stack`];
  if (actual === undefined) return [`${stack}: no longer synthesized`];
  const [before, after] = [canonicalTemplate(expected), canonicalTemplate(actual)] as Array<Record<string, Record<string, unknown> | undefined>>;
  const out: string[] = [];
  for (const section of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const [b, a] = [before[section], after[section]];
    if (same(b, a)) continue;
    if (!b || !a || typeof b !== 'object' || typeof a !== 'object') {
      out.push(`${stack} ${section}: changed`);
      continue;
    }
    for (const id of new Set([...Object.keys(b), ...Object.keys(a)])) {
      if (!(id in b)) out.push(`${stack} ${section}.${id}: added`);
      else if (!(id in a)) out.push(`${stack} ${section}.${id}: removed`);
      else if (!same(b[id], a[id])) out.push(`${stack} ${section}.${id}: changed`);
    }
  }
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}
