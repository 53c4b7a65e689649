import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The marker a contract-phase migration must carry, on a comment line of its Up section:
 *
 *   -- contract: <which earlier release stopped using what this removes or changes>
 *
 * e.g. `-- contract: since release 2026.11.3 no code reads notes.legacy_title`.
 */
export const CONTRACT_MARKER = /^\s*--\s*contract:\s*(\S.{19,})$/im;

/** Statements that break the release still running while the next one rolls out. */
const CONTRACT_STATEMENTS: ReadonlyArray<readonly [string, RegExp]> = [
  ['DROP TABLE', /\bDROP\s+TABLE\b/i],
  ['DROP COLUMN', /^ALTER\s+TABLE\b.*\bDROP\s+(COLUMN\s+)?(IF\s+EXISTS\s+)?(?!CONSTRAINT\b|DEFAULT\b|NOT\b|IDENTITY\b|EXPRESSION\b)"?\w+/i],
  ['DROP VIEW / FUNCTION / TYPE / SCHEMA', /\bDROP\s+(MATERIALIZED\s+VIEW|VIEW|FUNCTION|PROCEDURE|TYPE|SCHEMA)\b/i],
  ['RENAME', /\bRENAME\b/i],
  ['ALTER COLUMN TYPE', /\bALTER\s+(COLUMN\s+)?"?\w+"?\s+(SET\s+DATA\s+)?TYPE\b/i],
  ['SET NOT NULL', /\bSET\s+NOT\s+NULL\b/i],
  ['ADD COLUMN NOT NULL without a default', /\bADD\s+(COLUMN\s+)?(IF\s+NOT\s+EXISTS\s+)?\w+\s+[^,;]*\bNOT\s+NULL\b(?![^,;]*\bDEFAULT\b)[^,;]*/i],
  ['TRUNCATE', /\bTRUNCATE\b/i],
];

/** The Up section of a node-pg-migrate SQL migration (what runs in production), comments kept. */
export function upSection(sql: string): string {
  const up = sql.search(/^\s*--[\s-]*up\s+migration/im);
  const down = sql.search(/^\s*--[\s-]*down\s+migration/im);
  return sql.slice(up >= 0 ? up : 0, down > up ? down : undefined);
}

/** The contract-phase statements a migration's Up section holds, each prefixed by its kind. */
export function contractStatements(sql: string): string[] {
  const statements = upSection(sql)
    .replace(/--[^\n]*/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split(';')
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  return statements.flatMap((statement) => CONTRACT_STATEMENTS.filter(([, pattern]) => pattern.test(statement)).map(([kind]) => `${kind}: ${statement}`));
}

/** Whether the Up section carries the contract marker. */
export function hasContractMarker(sql: string): boolean {
  return CONTRACT_MARKER.test(upSection(sql));
}

/** The migrations in `dir` with contract-phase statements and no marker, with what was found. */
export function unmarkedContractMigrations(dir: string): Array<{ file: string; statements: string[] }> {
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => ({ file, sql: fs.readFileSync(path.join(dir, file), 'utf8') }))
    .filter(({ sql }) => !hasContractMarker(sql))
    .map(({ file, sql }) => ({ file, statements: contractStatements(sql) }))
    .filter((m) => m.statements.length > 0);
}
