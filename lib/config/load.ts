import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Node } from 'constructs';
import { ConfigError, type ShipshapeConfig } from './config';
import { schemasAt, typesOf } from './json-schema';
import { PROFILE_DEFAULTS } from './profiles';
import type { ConfigProblem } from './rules';
import { PROFILES, type Profile } from './schema';
import { resolveConfig, type ValueSource, validateConfig, type Validation } from './validate';

/** The context key of the `shipshape` object (in cdk.json, or a whole `-c shipshape='{...}'`). */
export const CONFIG_CONTEXT_KEY = 'shipshape';
/** The context key that names a configuration file: `-c shipshape:configFile=prod.json`. */
export const CONFIG_FILE_CONTEXT_KEY = 'shipshape:configFile';
/** The configuration file read when none is named, beside cdk.json. */
export const DEFAULT_CONFIG_FILE = 'shipshape.config.json';

/** Where to find the configuration: what the app and every `shipshape` command read. */
export interface ConfigInputs {
  /** CDK context as an App has it: cdk.json's merged with `-c` (`shipshape`, `shipshape.a.b`, `shipshape:configFile`). */
  readonly context: Readonly<Record<string, unknown>>;
  /**
   * The folder holding cdk.json: `shipshape.config.json` there is read when no file is named,
   * and a relative file name is found from there.
   * @default - no default file; a named file is found from the working directory
   */
  readonly directory?: string;
  /** A file named on the `shipshape` command line (`--config`); wins over the context key. */
  readonly configFile?: string;
}

/** One source of values, lowest precedence first in `GatheredConfig.layers`. */
export interface ConfigLayer {
  readonly source: ValueSource;
  readonly values: Record<string, unknown>;
}

/** The raw configuration put together from its sources, before validation. */
export interface GatheredConfig {
  readonly raw: Record<string, unknown>;
  readonly layers: readonly ConfigLayer[];
  /** The configuration file read, if any (absolute). */
  readonly file?: string;
  /** Problems found while reading (an unreadable file, a bad override path). */
  readonly problems: readonly ConfigProblem[];
}

/**
 * Puts the raw configuration together. Precedence, lowest first: the built-in defaults, the
 * profile's defaults (both applied by validation), cdk.json's `shipshape` context, the
 * configuration file (`--config`, else `-c shipshape:configFile=F`, else `shipshape.config.json`
 * beside cdk.json), a whole `-c shipshape='{...}'`, then each `-c shipshape.a.b=value`. Objects
 * merge key by key; a list, or a value that is one of several shapes (`service.image`,
 * `pipeline.source`), is replaced whole. A `-c` value is kept as text where the key takes text
 * (`postgresVersion=16.4`, `image.tag=2`), else read as JSON when it can be.
 */
export function gatherConfig(inputs: ConfigInputs): GatheredConfig {
  const problems: ConfigProblem[] = [];
  const layers: ConfigLayer[] = [];
  const contextValue = inputs.context[CONFIG_CONTEXT_KEY];
  const whole = contextValue === undefined ? undefined : parseObject(contextValue, 'the "shipshape" context value', problems, CONTEXT_HINT);
  // cdk.json's object ranks below the file; the same key given with -c replaces it and ranks above.
  // Without the folder of cdk.json to compare with, the context's object counts as cdk.json's.
  const cdkJson = inputs.directory ? readCdkJsonConfig(inputs.directory) : whole;
  const fromCommandLine = whole !== undefined && !isDeepStrictEqual(whole, cdkJson);
  if (whole && !fromCommandLine) layers.push({ source: { kind: 'cdk.json', name: 'cdk.json' }, values: whole });
  const file = configFileName(inputs);
  if (file) {
    const values = readConfigFile(file.path, file.named, problems);
    if (values) layers.push({ source: { kind: 'file', name: path.relative(process.cwd(), file.path) || file.path }, values });
  }
  if (whole && fromCommandLine) layers.push({ source: { kind: '-c', name: `-c ${CONFIG_CONTEXT_KEY}` }, values: whole });

  let raw: Record<string, unknown> = {};
  for (const layer of layers) raw = merge(raw, layer.values, []);
  const prefix = `${CONFIG_CONTEXT_KEY}.`;
  for (const key of Object.keys(inputs.context).filter((k) => k.startsWith(prefix)).sort()) {
    const at = key.slice(prefix.length).split('.');
    const value = overrideValue(at, inputs.context[key]);
    const problem = setPath(raw, at, value);
    if (problem) problems.push(problem);
    else layers.push({ source: { kind: '-c', name: `-c ${key}` }, values: documentOf(at, value) });
  }
  return { raw, layers, file: file && fs.existsSync(file.path) ? file.path : undefined, problems };
}

/** Gathers and validates; `sourceOf` tells where each value of the result came from. */
export function validateGathered(gathered: GatheredConfig): Validation & { readonly sourceOf: (at: readonly string[]) => ValueSource } {
  const sourceOf = (at: readonly string[]) => sourceIn(gathered, at);
  if (gathered.problems.length > 0) return { problems: gathered.problems, sourceOf };
  const validation = validateConfig(gathered.raw, { sourceOf: (at) => sourceIn(gathered, at, true) });
  return { ...validation, sourceOf };
}

/**
 * Reads the reference app's configuration from an App's context (cdk.json and `-c`) and the
 * configuration file (see `gatherConfig` for the order), then validates it in one pass.
 * Throws a `ConfigError` listing every problem.
 */
export function loadConfig(node: Node, options: Omit<ConfigInputs, 'context'> = {}): ShipshapeConfig {
  const gathered = gatherConfig({ ...options, context: node.getAllContext() as Record<string, unknown> });
  if (gathered.problems.length > 0) throw new ConfigError(gathered.problems);
  return resolveConfig(gathered.raw, { sourceOf: (at) => sourceIn(gathered, at, true) });
}

/** Where the value at `at` came from: the highest layer that sets it, else the profile or the built-in default. */
function sourceIn(gathered: GatheredConfig, at: readonly string[], strict = false): ValueSource {
  for (const layer of [...gathered.layers].reverse()) {
    if (valueAt(layer.values, at) !== undefined) return layer.source;
  }
  if (strict) return { kind: 'default', name: 'default' };
  const profile = (PROFILES as readonly unknown[]).includes(gathered.raw.profile) ? (gathered.raw.profile as Profile) : 'production';
  return valueAt(PROFILE_DEFAULTS[profile], at) !== undefined ? { kind: 'profile', name: `profile ${profile}` } : { kind: 'default', name: 'default' };
}

function configFileName(inputs: ConfigInputs): { path: string; named: string } | undefined {
  const base = inputs.directory ?? process.cwd();
  const named = inputs.configFile ?? (inputs.context[CONFIG_FILE_CONTEXT_KEY] as string | undefined);
  if (named !== undefined) {
    const how = inputs.configFile !== undefined ? '--config' : `-c ${CONFIG_FILE_CONTEXT_KEY}`;
    return { path: path.resolve(base, String(named)), named: how };
  }
  if (inputs.directory === undefined) return undefined;
  const fallback = path.join(inputs.directory, DEFAULT_CONFIG_FILE);
  return fs.existsSync(fallback) ? { path: fallback, named: DEFAULT_CONFIG_FILE } : undefined;
}

function readConfigFile(file: string, named: string, problems: ConfigProblem[]): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    problems.push({ path: '', message: `cannot read the configuration file ${file} (${named}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
    return undefined;
  }
  return parseObject(text, `the configuration file ${file}`, problems);
}

function readCdkJsonConfig(directory: string): unknown {
  try {
    const cdkJson = JSON.parse(fs.readFileSync(path.join(directory, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
    return cdkJson.context?.[CONFIG_CONTEXT_KEY];
  } catch {
    return undefined;
  }
}

// The CDK CLI keeps a -c value only up to its first line break: `-c shipshape="$(cat f.json)"` arrives as "{".
const CONTEXT_HINT =
  '; the CDK CLI keeps a -c value only up to its first line break: name the file with -c shipshape:configFile=FILE instead of -c shipshape="$(cat FILE)", or give the JSON on one line';

function parseObject(value: unknown, what: string, problems: ConfigProblem[], hint = ''): Record<string, unknown> | undefined {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      problems.push({ path: '', message: `${what} is not JSON (${(error as Error).message})${hint}` });
      return undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push({ path: '', message: `${what} must be a JSON object { "profile": ..., ... } (got ${JSON.stringify(parsed)})` });
    return undefined;
  }
  return parsed as Record<string, unknown>;
}

/**
 * A `-c` value as the key wants it. The CDK CLI passes text: where the key takes text only, the
 * text is the value (`16.4` stays "16.4", not the number 16.4); elsewhere it is read as JSON when
 * it can be (`3`, `true`, `["a"]`), else kept as text.
 */
function overrideValue(at: readonly string[], value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const types = new Set(schemasAt(at).flatMap(typesOf));
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return value;
  }
  if (types.size === 1 && types.has('string')) return typeof parsed === 'string' ? parsed : value;
  return parsed;
}

/** Deep merge: objects key by key; lists and one-of-several-shapes values replaced whole. */
function merge(base: unknown, over: unknown, at: readonly string[]): Record<string, unknown> {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(base) || !isObject(over) || (at.length > 0 && schemasAt(at).length > 1)) return structuredClone(over) as Record<string, unknown>;
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    result[key] = isObject(value) && isObject(base[key]) ? merge(base[key], value, [...at, key]) : structuredClone(value);
  }
  return result;
}

function setPath(target: Record<string, unknown>, at: readonly string[], value: unknown): ConfigProblem | undefined {
  let cursor = target;
  for (const [i, part] of at.slice(0, -1).entries()) {
    const next = cursor[part];
    if (next === undefined) {
      cursor[part] = {};
    } else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      return { path: at.slice(0, i + 1).join('.'), message: `is ${JSON.stringify(next)}, not an object; cannot set ${at.join('.')} inside it` };
    }
    cursor = cursor[part] as Record<string, unknown>;
  }
  cursor[at[at.length - 1]] = value;
  return undefined;
}

function documentOf(at: readonly string[], value: unknown): Record<string, unknown> {
  return at.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

function valueAt(root: unknown, at: readonly string[]): unknown {
  let cursor = root;
  for (const part of at) {
    if (typeof cursor !== 'object' || cursor === null) return undefined;
    cursor = (cursor as Record<string, unknown>)[part];
  }
  return cursor;
}
