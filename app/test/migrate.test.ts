import { MIGRATIONS_TABLE } from '../src/migrate';
import { finished, migrate, spawnEntry, startDatabase, type TestDatabase } from './support/processes';

let db: TestDatabase;
beforeAll(async () => {
  db = await startDatabase();
});
afterAll(async () => db?.stop());

test('applies every migration to an empty database, and a second run finds nothing to do', async () => {
  // GIVEN an empty database
  // WHEN the migration command runs twice
  const first = await migrate(db.env);
  const second = await migrate(db.env);

  // THEN the first applies the migrations and the second exits 0 having applied none
  expect(first).toMatchObject({ code: 0 });
  expect(first.lines).toContainEqual(expect.objectContaining({ msg: 'migrations applied', applied: ['1764633600000_create-notes'] }));
  expect(second).toMatchObject({ code: 0 });
  expect(second.lines).toContainEqual(expect.objectContaining({ msg: 'no pending migrations', count: 0 }));
  const client = await db.postgres.connect({ database: 'app' });
  const { rows } = await client.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`);
  expect(rows).toEqual([{ name: '1764633600000_create-notes' }]);
  const columns = await client.query<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_name = 'notes' ORDER BY ordinal_position");
  expect(columns.rows.map((r) => r.column_name)).toEqual(['id', 'title', 'body', 'created_at']);
});

test('two runners started together: the advisory lock lets one apply, the other waits and finds nothing to do', async () => {
  // GIVEN a second, empty database
  const admin = await db.postgres.connect();
  await admin.query('CREATE DATABASE race');
  const env = { ...db.env, DB_NAME: 'race' };

  // WHEN two migration commands start at once
  const [a, b] = await Promise.all([migrate(env), migrate(env)]);

  // THEN both exit 0 and the migration was applied exactly once
  expect([a.code, b.code]).toEqual([0, 0]);
  const counts = [a, b].map((run) => (run.lines.find((l) => l.component === 'migrate' && typeof l.count === 'number')?.count as number) ?? -1).sort();
  expect(counts).toEqual([0, 1]);
});

test('waits for the migration lock longer than lock_timeout, then applies', async () => {
  // GIVEN another runner holding the migration lock, and a 500 ms lock_timeout for the migrations
  const admin = await db.postgres.connect();
  await admin.query('CREATE DATABASE held');
  const other = await db.postgres.connect({ database: 'held' });
  await other.query('SELECT pg_advisory_lock(7241865325823964)');

  // WHEN the migration command starts, and the other runner lets go 1.5 s after it began waiting
  const child = spawnEntry('migrate', { ...db.env, DB_NAME: 'held', DB_STATEMENT_TIMEOUT_MS: '500' });
  const run = finished(child);
  await new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('waiting for the migration lock') && resolve()));
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(child.exitCode).toBeNull();
  await other.query('SELECT pg_advisory_unlock(7241865325823964)');

  // THEN it applied the migrations and exited 0
  const result = await run;
  expect(result.code).toBe(0);
  expect(result.lines).toContainEqual(expect.objectContaining({ msg: 'migrations applied', count: 1 }));
});

test('a database it cannot reach: exits 1 with a log line that says the migration failed', async () => {
  // GIVEN a port nothing listens on
  // WHEN the migration command runs
  const run = await migrate({ ...db.env, DB_PORT: '1', DB_CONNECT_TIMEOUT_MS: '1000' });

  // THEN it exits non-zero and says why
  expect(run.code).toBe(1);
  expect(run.lines).toContainEqual(expect.objectContaining({ level: 50, msg: expect.stringMatching(/^migration failed, nothing applied: /) }));
});

test('a missing variable: exits 1 naming it', async () => {
  const env = { ...db.env };
  delete env.DB_HOST;
  const run = await migrate(env);
  expect(run.code).toBe(1);
  expect(run.lines).toContainEqual(expect.objectContaining({ level: 60, msg: expect.stringContaining('DB_HOST') }));
});
