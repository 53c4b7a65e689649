import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Esbuild from 'esbuild';

/**
 * Where the Lambda handlers' bundles come from.
 *
 * The package ships pre-built bundles in `dist/handlers/` (made by `npm run build`, which
 * `prepare` and `prepack` run), so a team that installs shipshape needs neither esbuild, Docker nor
 * the handlers' TypeScript sources — the way aws-cdk-lib ships its own handlers. In a checkout, the
 * sources are there too: the shipped bundles are used only if their manifest names the current
 * sources' hash; otherwise the handlers are bundled again (esbuild, a dev dependency) into a cache.
 */

/** The esbuild options of every handler: Node 24 CommonJS; the AWS SDK v3 comes from the runtime. */
export const HANDLER_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  mainFields: ['module', 'main'],
  // Not minified, no source map: a stack trace in the function's log names the real functions.
  minify: false,
  keepNames: true,
  // pg's optional native binding is never loaded.
  external: ['@aws-sdk/*', 'pg-native'],
  logLevel: 'warning',
} as const;

const MANIFEST = 'manifest.json';
const HANDLER_SUFFIX = '.lambda.ts';

/** What `dist/handlers/manifest.json` records. */
export interface HandlerManifest {
  /** The hash of the sources and build options the bundles were made from. */
  readonly sourceHash: string;
  /** Each handler's id (`restore-drill/runtime/drill-steps`) and the SHA-256 of its `index.js`. */
  readonly handlers: Record<string, string>;
}

/** The nearest directory above `from` holding the `shipshape` package.json (source or compiled code alike). */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }).name === 'shipshape') return dir;
    if (path.dirname(dir) === dir) throw new Error(`shipshape: no package.json of shipshape above ${from}`);
  }
}

const PACKAGE_ROOT = packageRoot(__dirname);
/** The handlers' TypeScript sources: in a checkout only, the package does not ship them. */
const SOURCE_ROOT = path.join(PACKAGE_ROOT, 'constructs');
/** The bundles the package ships. */
export const SHIPPED_HANDLERS = path.join(PACKAGE_ROOT, 'dist', 'handlers');
/** The constructs of the code now running (TypeScript in a checkout, `dist/constructs` in the package). */
const RUNNING_CONSTRUCTS = path.resolve(__dirname, '..');

/** `restore-drill/runtime/drill-steps` for `<constructs>/restore-drill/runtime/drill-steps.lambda.ts`. */
export function handlerId(entry: string): string {
  const relative = path.relative(RUNNING_CONSTRUCTS, entry).split(path.sep).join('/');
  if (!relative.endsWith(HANDLER_SUFFIX) || relative.startsWith('..')) {
    throw new Error(`shipshape: a handler entry is a *${HANDLER_SUFFIX} file under constructs/ (got ${entry})`);
  }
  return relative.slice(0, -HANDLER_SUFFIX.length);
}

/** Every handler source of a checkout, by id. */
function handlerSources(): Map<string, string> {
  const files = fs.readdirSync(SOURCE_ROOT, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith(HANDLER_SUFFIX));
  return new Map(files.sort().map((file) => [file.split(path.sep).join('/').slice(0, -HANDLER_SUFFIX.length), path.join(SOURCE_ROOT, file)]));
}

let sourceHashMemo: string | undefined;

/**
 * A hash of everything a bundle is made from: every file of every construct's `runtime/` folder
 * (runtime code imports nothing outside them), the lock file that pins the npm packages, and the
 * build options.
 */
export function handlerSourceHash(): string {
  if (sourceHashMemo) return sourceHashMemo;
  const hash = createHash('sha256').update(JSON.stringify(HANDLER_BUILD_OPTIONS)).update('\0');
  const files = fs
    .readdirSync(SOURCE_ROOT, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.split(path.sep).includes('runtime'))
    .map((file) => path.join(SOURCE_ROOT, file))
    .filter((file) => fs.statSync(file).isFile())
    .sort();
  for (const file of [...files, path.join(PACKAGE_ROOT, 'package-lock.json')]) {
    if (!fs.existsSync(file)) continue;
    hash.update(path.relative(PACKAGE_ROOT, file).split(path.sep).join('/')).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  sourceHashMemo = hash.digest('hex');
  return sourceHashMemo;
}

export function readHandlerManifest(dir: string): HandlerManifest | undefined {
  const file = path.join(dir, MANIFEST);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as HandlerManifest) : undefined;
}

/**
 * Bundles every handler of the checkout into `outdir/<id>/index.js` and writes the manifest last.
 * The bundles are written beside `outdir` and moved into place, so concurrent builds (parallel
 * test workers) never see half a directory.
 */
export function buildHandlers(outdir: string): HandlerManifest {
  // esbuild is a dev dependency: only a checkout, which has the sources, ever bundles.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof Esbuild;
  const sources = handlerSources();
  const staging = fs.mkdtempSync(`${outdir}.staging-`);
  esbuild.buildSync({
    ...HANDLER_BUILD_OPTIONS,
    mainFields: [...HANDLER_BUILD_OPTIONS.mainFields],
    external: [...HANDLER_BUILD_OPTIONS.external],
    entryPoints: [...sources].map(([id, file]) => ({ in: file, out: `${id}/index` })),
    outdir: staging,
  });
  const handlers = Object.fromEntries(
    [...sources.keys()].map((id) => [id, createHash('sha256').update(fs.readFileSync(path.join(staging, id, 'index.js'))).digest('hex')]),
  );
  const manifest: HandlerManifest = { sourceHash: handlerSourceHash(), handlers };
  fs.writeFileSync(path.join(staging, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  try {
    fs.renameSync(staging, outdir);
  } catch (error) {
    // Another process put the same bundles in place first.
    fs.rmSync(staging, { recursive: true, force: true });
    if (!readHandlerManifest(outdir)) throw error;
  }
  return manifest;
}

interface Bundles {
  readonly dir: string;
  readonly manifest?: HandlerManifest;
}

/**
 * Where the bundles for the code now running are: the shipped ones in the package; in a checkout,
 * the shipped ones if they were built from the current sources, else a cache keyed by the sources'
 * hash, bundled on first use.
 */
export function chooseBundles(shipped: string, cacheRoot: string): Bundles {
  if (!fs.existsSync(SOURCE_ROOT)) return { dir: shipped, manifest: readHandlerManifest(shipped) };
  const hash = handlerSourceHash();
  const manifest = readHandlerManifest(shipped);
  if (manifest?.sourceHash === hash) return { dir: shipped, manifest };
  fs.mkdirSync(cacheRoot, { recursive: true });
  const dir = path.join(cacheRoot, hash);
  return { dir, manifest: readHandlerManifest(dir) ?? buildHandlers(dir) };
}

let bundles: Bundles | undefined;

/** The directory of the bundle of `entry` (a `*.lambda.ts` in a construct's `runtime/` folder). */
export function handlerBundle(entry: string): string {
  const id = handlerId(entry);
  bundles ??= chooseBundles(SHIPPED_HANDLERS, path.join(PACKAGE_ROOT, 'node_modules', '.cache', 'shipshape-handlers'));
  const { dir, manifest } = bundles;
  if (!manifest?.handlers[id]) {
    throw new Error(`shipshape: the Lambda bundle '${id}' is missing from ${dir}; reinstall shipshape (its build, npm run build, makes the bundles).`);
  }
  return path.join(dir, id);
}
