import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The committed integ-runner snapshots, and how they are made and compared without credentials.
 *
 * integ-runner 2.197.10 (the newest release) reads cloud assembly schema 53 at most, and
 * aws-cdk-lib 2.276 writes schema 55: integ-runner can neither verify nor deploy these apps until
 * it catches up (docs/integration-tests.md). Until then this module makes the snapshots exactly as
 * integ-runner does (its recommended feature flags as context, stack traces off, asset directories
 * dropped for stacks without the update workflow) and compares templates as integ-runner does:
 * equal once asset hashes are replaced by their order of appearance.
 */
export const INTEG_DIR = path.resolve(__dirname, '..');

/** integ-runner's TypeScript test pattern. */
const TEST_FILE = /^integ\.(?!.*\.d\.ts$).*\.ts$/;

export const REFRESH_COMMAND = 'npx tsx test/integ/support/update-snapshots.ts';

export function integTestFiles(): string[] {
  return fs
    .readdirSync(INTEG_DIR)
    .filter((f) => TEST_FILE.test(f))
    .sort();
}

export function snapshotDir(testFile: string): string {
  return path.join(INTEG_DIR, `${testFile}.snapshot`);
}

/**
 * The context integ-runner synthesizes with: the feature flags it recommends for aws-cdk-lib (not
 * the app's cdk.json), stack traces off.
 */
export function integContext(): Record<string, unknown> {
  const flagsFile = require.resolve('@aws-cdk/integ-runner/lib/recommended-feature-flags.json');
  const flags = JSON.parse(fs.readFileSync(flagsFile, 'utf8')) as Record<string, unknown>;
  // integ-runner leaves the target partitions unset (see its runner-base getContext).
  delete flags['@aws-cdk/core:target-partitions'];
  return { ...flags, 'aws:cdk:disable-stack-trace': true, 'aws:cdk:disable-creation-stack-traces': true };
}

/**
 * What a snapshot keeps: integ-runner drops asset directories and the asset cache. Dropped here as
 * well: the construct tree, the policy report and the per-stack metadata files (construct paths,
 * acknowledgments with the synthesizing machine's file paths), which no comparison reads; the
 * manifest stops pointing at them.
 */
export function pruneAssembly(dir: string): void {
  for (const entry of fs.readdirSync(dir)) {
    if (/^asset\.|^\.cache$|^tree\.json$|^validation-report\.json$|\.metadata\.json$/.test(entry)) {
      fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
    }
  }
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { artifacts?: Record<string, Record<string, unknown>> };
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:tree') delete manifest.artifacts?.[id];
    delete artifact.additionalMetadataFile;
  }
  fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
}

interface AssemblyManifest {
  readonly artifacts?: Record<string, { readonly type: string; readonly properties?: { readonly templateFile?: string; readonly file?: string } }>;
}

/** Each stack's template in an assembly, by stack artifact id. */
export function stackTemplates(dir: string): Record<string, unknown> {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as AssemblyManifest;
  const templates: Record<string, unknown> = {};
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    const file = artifact.properties?.templateFile;
    if (artifact.type === 'aws:cloudformation:stack' && file) {
      templates[id] = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    }
  }
  return templates;
}

const ASSET_HASH = /[a-f0-9]{64}/g;

/**
 * A template with every asset hash replaced by `Asset<n>`, n its order of appearance: two templates
 * that differ only in the content of their Lambda bundles are equal (integ-runner's own
 * canonicalization, which its `diffAssets: false` test option selects). The `salt` of assertion
 * resources (the synth time) is dropped: integ-runner compares only the stacks under test, this
 * compares the assertions too. Metadata is left out (see `withoutMetadata`).
 */
export function canonicalTemplate(template: unknown): unknown {
  return canonicalHashes(withoutMetadata(template));
}

/**
 * A template without its `Metadata` sections (the stack's and each resource's): construct paths and
 * policy acknowledgment reasons, which change nothing a deploy creates. A reworded reason is no
 * reason to refresh a snapshot.
 */
function withoutMetadata(template: unknown): unknown {
  if (!template || typeof template !== 'object') return template;
  const copy = { ...(template as Record<string, unknown>) };
  delete copy.Metadata;
  const resources = (copy.Resources ?? {}) as Record<string, Record<string, unknown>>;
  copy.Resources = Object.fromEntries(
    Object.entries(resources).map(([id, resource]) => {
      const kept = { ...resource };
      delete kept.Metadata;
      return [id, kept];
    }),
  );
  return copy;
}

function canonicalHashes(template: unknown): unknown {
  const seen = new Map<string, string>();
  const sub = (s: string) =>
    s.replace(ASSET_HASH, (hash) => {
      if (!seen.has(hash)) seen.set(hash, `Asset${seen.size + 1}`);
      return seen.get(hash) as string;
    });
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') {
      // integ-tests salts every assertion with the synth time, so each deploy runs it again.
      const entries = Object.entries(value).filter(([k]) => k !== 'salt');
      return Object.fromEntries(entries.map(([k, v]) => [sub(k), walk(v)]));
    }
    return typeof value === 'string' ? sub(value) : value;
  };
  return walk(template);
}

/** What differs between the stack templates of two assemblies (empty when they match). */
export function snapshotDifferences(expectedDir: string, actualDir: string): string[] {
  const expected = stackTemplates(expectedDir);
  const actual = stackTemplates(actualDir);
  return Object.keys({ ...expected, ...actual }).flatMap((stack) => templateDifferences(stack, expected[stack], actual[stack]));
}

/** What differs between two stack templates, by section and logical id, asset hashes aside. */
export function templateDifferences(stack: string, expected: unknown, actual: unknown): string[] {
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
