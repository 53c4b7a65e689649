/**
 * Times the reference app's full synth (policy packs, CloudFormation validation, Lambda bundling)
 * against the plain pattern, each in a fresh process like `cdk synth`, alternating, and reports
 * medians and their ratio: cold (a new output folder: every bundle built) and warm (the folder of
 * the previous synth, as `cdk.out` is for every diff, synth and deploy after the first).
 * `npm run bench -- --runs 5 [--tests]`: `--tests` also times the test suite (`npx jest`) once.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(__dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, tests: { type: 'boolean', default: false } } });
const runs = Number(values.runs);

function timed(command: string, args: string[]): number {
  const start = performance.now();
  const result = spawnSync(command, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return (performance.now() - start) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

type Case = 'referenceCold' | 'referenceWarm' | 'plain';
const times: Record<Case, number[]> = { referenceCold: [], referenceWarm: [], plain: [] };
const warmDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-warm-'));
timed(TSX, ['bench/synth-once.ts', 'plain']); // warm the disk cache once
timed(TSX, ['bench/synth-once.ts', 'reference', warmDir]); // the first synth of the warm folder
for (let i = 0; i < runs; i++) {
  times.referenceCold.push(timed(TSX, ['bench/synth-once.ts', 'reference']));
  times.referenceWarm.push(timed(TSX, ['bench/synth-once.ts', 'reference', warmDir]));
  times.plain.push(timed(TSX, ['bench/synth-once.ts', 'plain']));
}
const [cold, warm, plain] = [median(times.referenceCold), median(times.referenceWarm), median(times.plain)];
const results: Record<string, unknown> = {
  runs,
  plainSynthSeconds: +plain.toFixed(2),
  referenceColdSynthSeconds: +cold.toFixed(2),
  referenceWarmSynthSeconds: +warm.toFixed(2),
  coldRatio: +(cold / plain).toFixed(2),
  warmRatio: +(warm / plain).toFixed(2),
  target: 'ratio <= 1.5',
  all: times,
};
if (values.tests) results.testSuiteSeconds = +timed('npx', ['jest', '--silent']).toFixed(1);
console.log(JSON.stringify(results, null, 2));
