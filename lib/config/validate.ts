import type { z } from 'zod';
import { applyDefaults, ConfigError, type ShipshapeConfig } from './config';
import { describeAllowed, schemasAt, typesOf } from './json-schema';
import { type ConfigProblem, crossFieldProblems, unacceptedRisks } from './rules';
import { type RawConfig, rawConfigSchema } from './schema';

/** Where a value of the configuration was written: shapes the hint on how to write it. */
export type ValueSourceKind = 'default' | 'profile' | 'cdk.json' | 'file' | '-c';

export interface ValueSource {
  readonly kind: ValueSourceKind;
  /** `shipshape.config.json`, `-c shipshape.service.cpu`, `profile production`. */
  readonly name: string;
}

export interface ValidateOptions {
  /** Where the value at a path came from, for hints (quoting on the command line, in JSON). */
  readonly sourceOf?: (path: readonly string[]) => ValueSource | undefined;
}

/** The outcome of one validation pass: every problem, and the configuration when there is none. */
export interface Validation {
  readonly problems: readonly ConfigProblem[];
  /** With the profile's defaults; undefined when there are problems. */
  readonly config?: ShipshapeConfig;
}

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/**
 * Validates a raw `shipshape` object in one pass: the values one by one (types, ranges, patterns,
 * unknown keys), then, with every bad value set aside for its default, the rules across fields
 * (Fargate sizes, engine-specific keys, PostgreSQL versions, backups, HTTPS) and the production
 * profile's risk refusals. A rule that reads a value already reported is not reported again.
 */
export function validateConfig(raw: unknown, options: ValidateOptions = {}): Validation {
  const input = raw ?? {};
  const first = rawConfigSchema.safeParse(input, { reportInput: true });
  if (first.success) return checkAcrossFields(first.data, []);
  const problems = first.error.issues.flatMap((issue) => describeIssue(issue, [], input, options));
  const salvaged = setAside(input, first.error.issues);
  if (!salvaged) return { problems: dedupe(problems) };
  const across = checkAcrossFields(salvaged, problems.map((p) => p.path));
  return { problems: dedupe([...problems, ...across.problems]) };
}

/** Validates and applies the profile's defaults; throws a `ConfigError` listing every problem. */
export function resolveConfig(raw: unknown, options: ValidateOptions = {}): ShipshapeConfig {
  const { config, problems } = validateConfig(raw, options);
  if (!config) throw new ConfigError(problems);
  return config;
}

function checkAcrossFields(input: RawConfig, reported: readonly string[]): Validation {
  const config = applyDefaults(input);
  const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
  const problems = [...crossFieldProblems(config, input), ...unacceptedRisks(config)].filter(
    (problem) => !(problem.involves ?? [problem.path]).some((path) => reported.some((bad) => overlaps(path, bad))),
  );
  return problems.length > 0 || reported.length > 0 ? { problems } : { problems, config };
}

/** A copy of `raw` without the values `issues` are about, parsed; undefined when nothing valid is left to check. */
function setAside(raw: unknown, issues: readonly Issue[]): RawConfig | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  let copy = structuredClone(raw) as Record<string, unknown>;
  let current = issues;
  // Each round removes at least one value; a union can hide a second round of problems.
  for (let round = 0; round < 20; round++) {
    for (const issue of current) copy = remove(copy, issue);
    const again = rawConfigSchema.safeParse(copy);
    if (again.success) return again.data;
    current = again.error.issues;
  }
  return undefined;
}

function remove(root: Record<string, unknown>, issue: Issue): Record<string, unknown> {
  const targets: Path[] = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
  for (const target of targets) {
    // Inside a list, the whole list goes: its other items would change places.
    const cut = target.findIndex((part) => typeof part === 'number');
    const path = cut >= 0 ? target.slice(0, cut) : target;
    if (path.length === 0) return {};
    const parent = valueAt(root, path.slice(0, -1));
    if (typeof parent === 'object' && parent !== null) delete (parent as Record<string, unknown>)[String(path[path.length - 1])];
  }
  return root;
}

function valueAt(root: unknown, path: Path): unknown {
  let cursor = root;
  for (const part of path) {
    if (typeof cursor !== 'object' || cursor === null) return undefined;
    cursor = (cursor as Record<string, unknown>)[String(part)];
  }
  return cursor;
}

function dedupe(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** One issue of the value checks as problems at their exact paths (a union's fitting branch speaks for it). */
function describeIssue(issue: Issue, base: Path, raw: unknown, options: ValidateOptions): ConfigProblem[] {
  const at: Path = [...base, ...issue.path];
  const path = at.map(String).join('.');
  if (issue.code === 'invalid_union') {
    // A branch fits unless it has keys the value does not have, lacks one of its own keys, or refuses the value as a whole (`false` for an object).
    const refusedWhole = (i: Issue) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value');
    const lacksKey = (i: Issue) => i.path.length === 1 && i.code === 'invalid_type' && valueAt(raw, [...at, ...i.path]) === undefined;
    const fitting = issue.errors.filter((branch) => !branch.some((i) => i.code === 'unrecognized_keys' || refusedWhole(i) || lacksKey(i)));
    if (fitting.length === 1) return fitting[0].flatMap((inner) => describeIssue(inner, at, raw, options));
  }
  if (issue.code === 'unrecognized_keys') return [{ path, message: issue.message }];
  const value = valueAt(raw, at);
  const got = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
  if (issue.code === 'invalid_key') return [{ path, message: `${issue.issues.map((inner) => inner.message).join('; ')} (got key ${JSON.stringify(String(at[at.length - 1]))})` }];
  const nodes = schemasAt(at.map(String));
  const allowed = nodes.length > 0 ? nodes.map(describeAllowed).join(', or ') : undefined;
  if (issue.code === 'invalid_type' && value === undefined) return [{ path, message: `required${allowed ? `: ${allowed}` : ''}` }];
  if (issue.code === 'invalid_type' && allowed) {
    const hint = quotingHint(at, value, nodes, options);
    return [{ path, message: `must be ${allowed} (got ${JSON.stringify(value)}, ${typeName(value)})${hint}` }];
  }
  // zod's own wording for a range says nothing a person can act on: say what is allowed.
  const message = allowed && /^(Too (small|big)|Invalid input)/.test(issue.message) ? `must be ${allowed}` : issue.message;
  return [{ path, message: `${message}${got}` }];
}

/** How to write a value so it arrives with the type expected, where it was written. */
function quotingHint(path: Path, value: unknown, nodes: readonly { type?: unknown }[], options: ValidateOptions): string {
  const source = options.sourceOf?.(path.map(String));
  const expected = new Set(nodes.flatMap((n) => typesOf(n as Parameters<typeof typesOf>[0])));
  const dotted = `shipshape.${path.join('.')}`;
  if (expected.has('string') && (typeof value === 'number' || typeof value === 'boolean')) {
    if (source?.kind === '-c' && source.name !== '-c shipshape') return '';
    return `: write it in quotes, "${String(value)}"${source ? ` (in ${source.name})` : ''}`;
  }
  if (source?.kind === '-c' && typeof value === 'string' && (expected.has('array') || expected.has('object'))) {
    const example = expected.has('array') ? `["${value}"]` : '{"name":"value"}';
    return `; on the command line give it as JSON, quoted for the shell: -c '${dotted}=${example}'`;
  }
  return '';
}
