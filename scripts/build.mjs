#!/usr/bin/env node
// The package build (npm run build; npm runs it on `prepare` and `prepack`):
// compiled JavaScript and declarations in dist/, every Lambda handler bundled into
// dist/handlers/ with a manifest of the sources the bundles were made from, and the JSON Schema of
// the configuration file (schema/, committed; a test fails when it is out of date) generated from
// the schema the validation uses.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

fs.rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const require = createRequire(import.meta.url);
const { buildHandlers, SHIPPED_HANDLERS } = require(path.join(dist, 'constructs', 'private', 'handler-bundles.js'));
const manifest = buildHandlers(SHIPPED_HANDLERS);
fs.chmodSync(path.join(dist, 'bin', 'shipshape.js'), 0o755);
const { CONFIG_SCHEMA_FILE, configJsonSchemaText } = require(path.join(dist, 'lib', 'config', 'json-schema.js'));
const schemaFile = path.join(root, CONFIG_SCHEMA_FILE);
const schema = configJsonSchemaText();
if (!fs.existsSync(schemaFile) || fs.readFileSync(schemaFile, 'utf8') !== schema) {
  fs.mkdirSync(path.dirname(schemaFile), { recursive: true });
  fs.writeFileSync(schemaFile, schema);
}
console.log(`shipshape build: dist/ compiled, ${Object.keys(manifest.handlers).length} Lambda handlers bundled in ${path.relative(root, SHIPPED_HANDLERS)}, ${CONFIG_SCHEMA_FILE} generated`);
