import { MIGRATIONS_DIR } from '../src/migrate';
import { contractStatements, hasContractMarker, unmarkedContractMigrations } from './support/expand-contract';

// The rule (app/README.md, "Migrations: expand, then contract"): the release being replaced keeps
// serving while a migration runs and during the whole blue/green shift, so a migration may only
// add. Removing or changing what the previous release uses waits for a later release, and that
// migration says which release stopped using it.

test('every migration that removes or changes something says which earlier release stopped using it', () => {
  expect(unmarkedContractMigrations(MIGRATIONS_DIR)).toEqual([]);
});

describe('the scanner', () => {
  test.each([
    ['DROP TABLE notes_old;', 'DROP TABLE'],
    ['ALTER TABLE notes DROP COLUMN legacy_title;', 'DROP COLUMN'],
    ['ALTER TABLE notes DROP legacy_title;', 'DROP COLUMN'],
    ['ALTER TABLE notes RENAME COLUMN title TO heading;', 'RENAME'],
    ['ALTER TABLE notes RENAME TO memos;', 'RENAME'],
    ['ALTER TABLE notes ALTER COLUMN body TYPE varchar(100);', 'ALTER COLUMN TYPE'],
    ['ALTER TABLE notes ALTER body SET DATA TYPE varchar(100);', 'ALTER COLUMN TYPE'],
    ['ALTER TABLE notes ALTER COLUMN body SET NOT NULL;', 'SET NOT NULL'],
    ['ALTER TABLE notes ADD COLUMN owner text NOT NULL;', 'ADD COLUMN NOT NULL without a default'],
    ['DROP VIEW recent_notes;', 'DROP VIEW / FUNCTION / TYPE / SCHEMA'],
    ['TRUNCATE notes;', 'TRUNCATE'],
  ])('finds a contract-phase statement: %s', (statement, kind) => {
    expect(contractStatements(`-- Up Migration\n${statement}\n-- Down Migration\n`)).toEqual([expect.stringMatching(new RegExp(`^${kind.replace(/[/()]/g, '\\$&')}: `))]);
  });

  test.each([
    'CREATE TABLE notes (id bigint PRIMARY KEY, title text NOT NULL);',
    "ALTER TABLE notes ADD COLUMN owner text NOT NULL DEFAULT 'nobody';",
    'ALTER TABLE notes ADD COLUMN owner text;',
    'ALTER TABLE notes ALTER COLUMN owner DROP NOT NULL;',
    'ALTER TABLE notes DROP CONSTRAINT notes_title_check;',
    'CREATE INDEX CONCURRENTLY notes_created_at ON notes (created_at);',
    '-- DROP TABLE notes; (a comment)\nSELECT 1;',
  ])('leaves an expand-phase statement alone: %s', (statement) => {
    expect(contractStatements(`-- Up Migration\n${statement}\n`)).toEqual([]);
  });

  test('reads only the Up section: a Down section may drop what Up created', () => {
    expect(contractStatements('-- Up Migration\nCREATE TABLE t (id int);\n-- Down Migration\nDROP TABLE t;\n')).toEqual([]);
  });

  test('the marker must say something, in the Up section', () => {
    const drop = 'ALTER TABLE notes DROP COLUMN legacy_title;';
    expect(hasContractMarker(`-- Up Migration\n-- contract: since release 2026.11.3 no code reads notes.legacy_title\n${drop}`)).toBe(true);
    expect(hasContractMarker(`-- Up Migration\n-- contract: ok\n${drop}`)).toBe(false);
    expect(hasContractMarker(`-- Up Migration\n${drop}\n-- Down Migration\n-- contract: since release 2026.11.3 no code reads it`)).toBe(false);
  });
});
