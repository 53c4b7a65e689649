import { createRequire } from 'node:module';

// js-yaml 3 is in node_modules (a dependency of jest's) without its types, and the repository
// ignores *.d.ts files: the one function the tests use, typed here.
const requireHere = createRequire(__filename);
const jsYaml = requireHere('js-yaml') as { load: (text: string) => unknown };

/** Parses one YAML document (js-yaml). */
export function load(text: string): unknown {
  return jsYaml.load(text);
}
