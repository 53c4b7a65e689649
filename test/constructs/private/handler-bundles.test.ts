import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  buildHandlers,
  chooseBundles,
  handlerBundle,
  handlerId,
  handlerSourceHash,
  readHandlerManifest,
} from '../../../constructs/private/handler-bundles';
import { shipshapeFunction } from '../../../constructs/private/node-function';

const CONSTRUCTS = path.resolve(__dirname, '../../../constructs');
const entries = fs
  .readdirSync(CONSTRUCTS, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.lambda.ts'))
  .map((file) => path.join(CONSTRUCTS, file));

test('a handler is known by its path under constructs/, without the .lambda.ts suffix', () => {
  expect(handlerId(path.join(CONSTRUCTS, 'service', 'runtime', 'smoke-test.lambda.ts'))).toBe('service/runtime/smoke-test');
  expect(() => handlerId(path.join(CONSTRUCTS, 'service', 'runtime', 'smoke-test.ts'))).toThrow(/\*\.lambda\.ts file under constructs/);
  expect(() => handlerId('/elsewhere/x.lambda.ts')).toThrow(/under constructs/);
});

test('every handler of the checkout has a bundle that loads in Node and exports its handler', () => {
  expect(entries.length).toBeGreaterThanOrEqual(7);
  for (const entry of entries) {
    const bundle = path.join(handlerBundle(entry), 'index.js');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(bundle) as { handler?: unknown };
    expect({ entry: handlerId(entry), handler: typeof loaded.handler }).toEqual({ entry: handlerId(entry), handler: 'function' });
  }
});

test('a build bundles every handler and records the sources it was made from and each bundle', () => {
  const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-handlers-')), 'handlers');
  const manifest = buildHandlers(outdir);
  expect(manifest.sourceHash).toBe(handlerSourceHash());
  expect(Object.keys(manifest.handlers).sort()).toEqual(entries.map(handlerId).sort());
  expect(readHandlerManifest(outdir)).toEqual(manifest);
  for (const id of Object.keys(manifest.handlers)) expect(fs.existsSync(path.join(outdir, id, 'index.js'))).toBe(true);
  // Nothing of the build is left beside it.
  expect(fs.readdirSync(path.dirname(outdir))).toEqual(['handlers']);
});

test('shipped bundles are used only when built from the sources of the checkout; others are bundled again', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-shipped-'));
  const shipped = path.join(root, 'handlers');
  const cache = path.join(root, 'cache');
  buildHandlers(shipped);
  expect(chooseBundles(shipped, cache).dir).toBe(shipped);

  fs.writeFileSync(path.join(shipped, 'manifest.json'), JSON.stringify({ sourceHash: 'other sources', handlers: {} }));
  const rebuilt = chooseBundles(shipped, cache);
  expect(rebuilt.dir).toBe(path.join(cache, handlerSourceHash()));
  expect(rebuilt.manifest?.sourceHash).toBe(handlerSourceHash());
  expect(readHandlerManifest(rebuilt.dir)).toEqual(rebuilt.manifest);
});

test('a function runs its bundle from a zipped asset on Node 24 ARM, with the handler the bundle exports', () => {
  const stack = new Stack(new App(), 'Fn');
  shipshapeFunction(stack, 'Smoke', {
    entry: path.join(CONSTRUCTS, 'service', 'runtime', 'smoke-test.lambda.ts'),
    description: 'test',
    key: new kms.Key(stack, 'Key'),
    logRetention: logs.RetentionDays.ONE_MONTH,
  });
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  expect(Object.values(functions).map((f) => f.Properties as unknown)).toEqual([
    expect.objectContaining({
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Code: { S3Bucket: expect.anything(), S3Key: expect.stringMatching(/^[0-9a-f]{64}\.zip$/) },
    }),
  ]);
});
