import type { Node } from 'constructs';
import { resolveConfig, type ShipshapeConfig } from './config';

/** The context key the reference app reads its configuration from (in `cdk.json`). */
export const CONFIG_CONTEXT_KEY = 'shipshape';

/**
 * Reads the `shipshape` object from CDK context (cdk.json), applies `-c shipshape.a.b=value`
 * overrides on top (values are parsed as JSON when they can be, else kept as strings), then
 * validates it. A whole object may also be given as `-c shipshape='{"profile":"budget"}'`.
 */
export function loadConfig(node: Node): ShipshapeConfig {
  const context = node.getAllContext() as Record<string, unknown>;
  const raw = structuredClone(parseJsonOrKeep(context[CONFIG_CONTEXT_KEY]) ?? {});
  const prefix = `${CONFIG_CONTEXT_KEY}.`;
  const overrides = Object.keys(context)
    .filter((key) => key.startsWith(prefix))
    .sort();
  for (const key of overrides) {
    setPath(raw, key.slice(prefix.length).split('.'), parseJsonOrKeep(context[key]));
  }
  return resolveConfig(raw);
}

function parseJsonOrKeep(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function setPath(target: unknown, path: string[], value: unknown): void {
  let cursor = target as Record<string, unknown>;
  for (const [i, part] of path.slice(0, -1).entries()) {
    const next = cursor[part];
    if (next === undefined) {
      cursor[part] = {};
    } else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      const at = ['shipshape', ...path.slice(0, i + 1)].join('.');
      throw new Error(`${at}: is ${JSON.stringify(next)}, not an object; cannot set ${path.join('.')} inside it`);
    }
    cursor = cursor[part] as Record<string, unknown>;
  }
  cursor[path[path.length - 1]] = value;
}
