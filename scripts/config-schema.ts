/**
 * Writes the JSON Schema of the configuration file, generated from `lib/config/schema.ts` (the
 * schema the validation uses), to `schema/shipshape.config.schema.json`. Run in the build:
 * `tsx scripts/config-schema.ts`; with `--check` it writes nothing and exits 1 when the file is
 * out of date.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_SCHEMA_FILE, configJsonSchemaText } from '../lib/config/json-schema';

const file = path.join(__dirname, '..', CONFIG_SCHEMA_FILE);
const text = configJsonSchemaText();
const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
if (process.argv.includes('--check')) {
  if (current !== text) {
    process.stderr.write(`${CONFIG_SCHEMA_FILE} is out of date: run \`npx tsx scripts/config-schema.ts\`\n`);
    process.exit(1);
  }
} else if (current !== text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  process.stdout.write(`wrote ${CONFIG_SCHEMA_FILE}\n`);
}
