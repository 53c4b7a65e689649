/**
 * The package as another team gets it: `npm pack`, installed into a fresh CDK app in a temporary
 * directory (from the npm cache where it can), a stack of the team's own composed from the
 * constructs and synthesized under the policy gate, and the `shipshape` command it installs.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { handlerSourceHash, readHandlerManifest } from '../../constructs/private/handler-bundles';

const ROOT = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (result.error) throw result.error;
  return result;
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  if (result.status !== 0) throw new Error(`${what} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Newest modification time of the files a build is made from. */
function newestSource(): number {
  const roots = ['bin', 'lib', 'constructs'].map((dir) => path.join(ROOT, dir));
  const files = roots.flatMap((dir) => fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((file) => path.join(dir, file)));
  return Math.max(...[...files, path.join(ROOT, 'package.json'), path.join(ROOT, 'tsconfig.build.json')].map((file) => fs.statSync(file).mtimeMs));
}

/** `npm ci` built dist/ (the `prepare` script); build again only if a source changed since. */
function ensureBuilt(): void {
  const manifest = path.join(ROOT, 'dist', 'handlers', 'manifest.json');
  const fresh = fs.existsSync(manifest) && fs.statSync(manifest).mtimeMs > newestSource() && readHandlerManifest(path.dirname(manifest))?.sourceHash === handlerSourceHash();
  if (!fresh) ok(run('npm', ['run', 'build'], ROOT), 'npm run build');
}

interface Packed {
  readonly filename: string;
  readonly size: number;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-consumer-'));
const consumer = path.join(work, 'payments-app');
const outdir = path.join(work, 'cdk.out');
let packed: Packed;
let synth: SpawnSyncReturns<string>;

beforeAll(() => {
  ensureBuilt();
  // The build just ran (or was fresh): pack what it made, as `npm publish` would.
  [packed] = JSON.parse(ok(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT), 'npm pack')) as Packed[];

  fs.mkdirSync(consumer);
  const installed = (name: string) => (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  fs.writeFileSync(
    path.join(consumer, 'package.json'),
    JSON.stringify({
      name: 'payments-app',
      private: true,
      dependencies: {
        shipshape: `file:${path.join(work, packed.filename)}`,
        'aws-cdk-lib': installed('aws-cdk-lib'),
        constructs: installed('constructs'),
        'cdk-nag': installed('cdk-nag'),
        '@types/node': installed('@types/node'),
      },
    }),
  );
  ok(run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], consumer), 'npm install in the consumer app');
  for (const file of ['app.ts', 'tsconfig.json']) fs.copyFileSync(path.join(__dirname, 'consumer-app', file), path.join(consumer, file));
  // The team's TypeScript sees only the package's declarations, through its `exports` map.
  ok(run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], consumer), 'tsc in the consumer app');
  synth = run(process.execPath, ['app.js', outdir], consumer);
}, 600_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('the packed tarball', () => {
  test('holds the compiled code, its declarations and the pre-built handlers, and nothing of the repository', () => {
    const files = packed.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'dist/bin/shipshape.js', 'dist/constructs/index.js', 'dist/constructs/index.d.ts', 'dist/lib/policy/index.js', 'dist/handlers/manifest.json', 'schema/shipshape.config.schema.json']),
    );
    expect(files.filter((f) => !/^(dist\/|docs\/|schema\/|package\.json$|README\.md$|CHANGELOG\.md$|LICENSE$)/.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.lambda.js'))).toEqual([]);
    // Every handler the constructs use is there, built from the sources of this checkout.
    const manifest = readHandlerManifest(path.join(consumer, 'node_modules', 'shipshape', 'dist', 'handlers'));
    expect(manifest?.sourceHash).toBe(handlerSourceHash());
    for (const id of Object.keys(manifest?.handlers ?? {})) expect(files).toContain(`dist/handlers/${id}/index.js`);
    expect(packed.size).toBeLessThan(2_000_000);
  });
});

describe("a team's own CDK app with the package installed", () => {
  test('synthesizes its own stack of network, service, database, restore drill and alarms under the policy gate', () => {
    expect({ status: synth.status, stderr: synth.status === 0 ? '' : synth.stderr }).toEqual({ status: 0, stderr: '' });
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'Payments.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };
    const resources = Object.values(template.Resources);
    const ofType = (type: string) => resources.filter((r) => r.Type === type);
    expect(ofType('AWS::EC2::VPC').map((r) => r.Properties?.CidrBlock)).toEqual(['10.42.0.0/16']);
    expect(ofType('AWS::EC2::NatGateway')).toHaveLength(1);
    expect(ofType('AWS::ECS::Service').map((r) => r.Properties?.DesiredCount)).toEqual([3]);
    expect(ofType('AWS::RDS::DBInstance').map((r) => r.Properties?.MultiAZ)).toEqual([true]);
    expect(ofType('AWS::StepFunctions::StateMachine').length).toBeGreaterThanOrEqual(1);
    expect(ofType('AWS::CloudWatch::Alarm').length).toBeGreaterThan(10);
    expect(ofType('AWS::SNS::Subscription').map((r) => r.Properties?.Endpoint)).toEqual(['payments-oncall@payments.test']);
    // The team's topic admits CloudWatch alarms, with this account as the source.
    const topicPolicy = JSON.stringify(ofType('AWS::SNS::TopicPolicy').map((r) => r.Properties?.PolicyDocument));
    expect(topicPolicy).toContain('cloudwatch.amazonaws.com');
  });

  test("runs the package's pre-built handlers: every Lambda's asset is a bundle from the package, and the app needs no esbuild", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'Payments.assets.json'), 'utf8')) as {
      files: Record<string, { source: { path: string; packaging: string } }>;
    };
    const assets = Object.values(manifest.files).filter((f) => f.source.packaging === 'zip');
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      const dir = path.join(outdir, asset.source.path);
      // CDK's own handlers are bundles too; shipshape's are the package's, byte for byte.
      expect(fs.existsSync(path.join(dir, 'index.js')) || fs.readdirSync(dir).some((f) => f.endsWith('.js'))).toBe(true);
    }
    const shipped = path.join(consumer, 'node_modules', 'shipshape', 'dist', 'handlers');
    const shippedIndexes = new Set(
      Object.keys(readHandlerManifest(shipped)?.handlers ?? {}).map((id) => fs.readFileSync(path.join(shipped, id, 'index.js'), 'utf8')),
    );
    const used = assets.map((a) => path.join(outdir, a.source.path, 'index.js')).filter((f) => fs.existsSync(f) && shippedIndexes.has(fs.readFileSync(f, 'utf8')));
    expect(used.length).toBeGreaterThanOrEqual(4);
    expect(run(process.execPath, ['-e', "require.resolve('esbuild')"], consumer).status).not.toBe(0);
  });

  test('resolves one aws-cdk-lib and one constructs: the peers the team installed', () => {
    const copies = (name: string) =>
      fs
        .readdirSync(path.join(consumer, 'node_modules'), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.split(path.sep).slice(-2).join('/') === `${name}/package.json` && !f.includes(`${name}${path.sep}node_modules`))
        .filter((f) => (JSON.parse(fs.readFileSync(path.join(consumer, 'node_modules', f), 'utf8')) as { name?: string }).name === name);
    expect(copies('aws-cdk-lib')).toEqual(['aws-cdk-lib/package.json']);
    expect(copies('constructs')).toEqual(['constructs/package.json']);
  });

  test('every module the package loads is its own, a Node built-in, or a declared dependency or peer; every dependency is loaded', () => {
    const installedRoot = path.join(consumer, 'node_modules', 'shipshape');
    const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)]);
    const seen = new Set<string>();
    const undeclared = new Set<string>();
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const [, specifier] of fs.readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)) {
        if (specifier.endsWith('.json')) continue;
        if (specifier.startsWith('.')) {
          const target = path.resolve(path.dirname(file), specifier);
          visit(fs.existsSync(`${target}.js`) ? `${target}.js` : path.join(target, 'index.js'));
        } else if (!specifier.startsWith('node:')) {
          const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
          reached.add(name);
          if (!declared.has(name) && !builtinModules.includes(name)) undeclared.add(specifier);
        }
      }
    };
    for (const entry of ['dist/bin/shipshape.js', 'dist/constructs/index.js', 'dist/lib/policy/index.js']) visit(path.join(installedRoot, entry));
    expect(seen.size).toBeGreaterThan(50);
    expect([...undeclared]).toEqual([]);
    // A dependency nothing loads would only make every team's install bigger.
    expect(Object.keys(pkg.dependencies).filter((name) => !reached.has(name))).toEqual([]);
  });
});

describe('the shipshape command the package installs', () => {
  test('npx shipshape --help and --version work in the consumer app', () => {
    const help = run('npx', ['--no-install', 'shipshape', '--help'], consumer);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/drill run/);
    const version = run('npx', ['--no-install', 'shipshape', '--version'], consumer);
    expect({ status: version.status, stdout: version.stdout.trim() }).toEqual({ status: 0, stdout: pkg.version });
  });
});
