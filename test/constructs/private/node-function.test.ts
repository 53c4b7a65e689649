import * as fs from 'node:fs';
import * as os from 'node:os';
import * as esbuild from 'esbuild';
import * as path from 'node:path';
import { runtimeBundleHash } from '../../../constructs/private/node-function';

const entry = (capability: string, file: string) => path.resolve(__dirname, '../../../constructs', capability, 'runtime', file);

test('a bundle is known by its sources before esbuild runs: the same entry hashes the same, another entry differently', () => {
  const smoke = runtimeBundleHash(entry('service', 'smoke-test.lambda.ts'));
  expect(smoke).toMatch(/^[0-9a-f]{64}$/);
  expect(runtimeBundleHash(entry('service', 'smoke-test.lambda.ts'))).toBe(smoke);
  expect(runtimeBundleHash(entry('pipeline', 'release-job.lambda.ts'))).not.toBe(smoke);
});

test('every Lambda handler bundles with the options NodejsFunction uses (tests skip bundling elsewhere)', () => {
  const root = path.resolve(__dirname, '../../../constructs');
  const handlers = fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.lambda.ts'));
  expect(handlers.length).toBeGreaterThanOrEqual(7);
  const result = esbuild.buildSync({
    entryPoints: handlers.map((f) => path.join(root, f)),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    external: ['@aws-sdk/*', 'pg-native'],
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-bundles-')),
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
});
