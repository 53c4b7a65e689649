import { z } from 'zod';
import { rawConfigSchema } from './schema';

/** A JSON Schema (draft-07) node, as `z.toJSONSchema` writes it. */
export interface JsonSchema {
  readonly type?: string | string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly pattern?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: JsonSchema | boolean;
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly [key: string]: unknown;
}

/** Where the generated schema lives in the package, relative to its root. */
export const CONFIG_SCHEMA_FILE = 'schema/shipshape.config.schema.json';

let cached: JsonSchema | undefined;

/**
 * The JSON Schema of a shipshape configuration file, generated from `rawConfigSchema` (the one
 * the validation uses). Draft-07, which editors support best. It checks keys, types, ranges,
 * enumerations and patterns; rules across fields (Fargate sizes, engine-specific keys, known
 * PostgreSQL versions, the production profile's risks) and the time-zone list are checked only by
 * the validation (`shipshape config validate`, `cdk synth`).
 */
export function configJsonSchema(): JsonSchema {
  cached ??= {
    ...(z.toJSONSchema(rawConfigSchema, { target: 'draft-7', io: 'input', unrepresentable: 'throw' }) as JsonSchema),
    title: 'shipshape configuration',
    description:
      'The configuration of the shipshape reference app (shipshape.config.json). Every key is optional; the profile fills in the rest. ' +
      'Check it with `npx shipshape config validate`; see what it resolves to with `npx shipshape config show`.',
  };
  return cached;
}

/** The file's text: what `scripts/config-schema.ts` writes and a test compares. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

/** The alternatives a node stands for (`anyOf`/`oneOf` expanded), itself when it has none. */
function alternatives(node: JsonSchema): JsonSchema[] {
  const options = node.anyOf ?? node.oneOf;
  return options ? options.flatMap(alternatives) : [node];
}

/**
 * The schema nodes that may hold the value at `path` (`['service', 'image', 'tag']`): more than
 * one inside a union. Empty when the path is not in the schema.
 */
export function schemasAt(path: readonly (string | number)[], root: JsonSchema = configJsonSchema()): JsonSchema[] {
  let nodes = alternatives(root);
  for (const part of path) {
    nodes = nodes.flatMap((node) => {
      const child =
        (/^\d+$/.test(String(part)) ? node.items : undefined) ??
        node.properties?.[String(part)] ??
        (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
      return child ? alternatives(child) : [];
    });
  }
  return nodes;
}

/** The JSON types a node accepts. */
export function typesOf(node: JsonSchema): string[] {
  if (node.type) return Array.isArray(node.type) ? node.type : [node.type];
  if (node.enum) return [...new Set(node.enum.map((v) => typeof v))];
  return [];
}

const SAFE = Number.MAX_SAFE_INTEGER;

/** What a node allows, in words: "a whole number from 1 to 65535", "one of per-az | single | none". */
export function describeAllowed(node: JsonSchema): string {
  if (node.enum) return `one of ${node.enum.join(' | ')}`;
  if (node.const !== undefined) return JSON.stringify(node.const);
  const type = typesOf(node)[0];
  if (type === 'integer' || type === 'number') {
    const what = type === 'integer' ? 'a whole number' : 'a number';
    const min = node.minimum !== undefined && node.minimum > -SAFE ? node.minimum : undefined;
    const max = node.maximum !== undefined && node.maximum < SAFE ? node.maximum : undefined;
    if (min !== undefined && max !== undefined) return `${what} from ${min} to ${max}`;
    if (min !== undefined) return `${what} of at least ${min}`;
    if (max !== undefined) return `${what} of at most ${max}`;
    return what;
  }
  if (type === 'string') return 'a string';
  if (type === 'boolean') return 'true or false';
  if (type === 'array') return `a list (JSON array)${node.items ? `, each ${describeAllowed(node.items)}` : ''}`;
  if (type === 'object') {
    const keys = Object.keys(node.properties ?? {});
    return keys.length > 0 ? `an object with keys ${keys.join(', ')}` : 'an object of name: value pairs';
  }
  const options = node.anyOf ?? node.oneOf;
  if (options) return options.map(describeAllowed).join(', or ');
  return 'a value';
}
