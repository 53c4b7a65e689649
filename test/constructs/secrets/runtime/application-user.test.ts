import type { Client } from 'pg';
import { ensureApplicationUser } from '../../../../constructs/secrets/runtime/application-user';
import { startPostgres, type TestPostgres } from '../../../helpers/postgres';

let pg: TestPostgres;
let master: Client;

beforeAll(async () => {
  pg = await startPostgres();
  // Like an RDS master: not a superuser, but CREATEROLE and CREATEDB, owning the app database.
  const superuser = await pg.connect();
  await superuser.query("CREATE ROLE dbadmin WITH LOGIN CREATEROLE CREATEDB PASSWORD 'master-password'");
  await superuser.query('CREATE DATABASE app OWNER dbadmin');
  master = await pg.connect({ user: 'dbadmin', password: 'master-password', database: 'app' });
});
afterAll(async () => pg.stop());

test('a missing user is created with the secret password, owns the database and can create tables', async () => {
  // WHEN
  const outcome = await ensureApplicationUser(master, { username: 'app', password: 'first-password', database: 'app' }, { resetPassword: true });

  // THEN
  expect(outcome).toBe('created');
  const asApp = await pg.connect({ user: 'app', password: 'first-password', database: 'app' });
  await asApp.query('CREATE TABLE orders (id serial PRIMARY KEY, created_at timestamptz DEFAULT now())');
  const owner = await master.query<{ owner: string }>("SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'app'");
  expect(owner.rows[0].owner).toBe('app');
});

test('running again leaves an existing user and its password alone unless asked to reset', async () => {
  // GIVEN the user exists with the first password (previous test)
  // WHEN
  const outcome = await ensureApplicationUser(master, { username: 'app', password: 'other-password', database: 'app' }, { resetPassword: false });

  // THEN
  expect(outcome).toBe('unchanged');
  await expect(pg.connect({ user: 'app', password: 'first-password', database: 'app' })).resolves.toBeDefined();
  await expect(pg.connect({ user: 'app', password: 'other-password', database: 'app' })).rejects.toThrow(/password authentication failed/);
});

test('a reset sets the password of an existing user to the secret (a recreated secret, an old role)', async () => {
  const outcome = await ensureApplicationUser(master, { username: 'app', password: 'second-password', database: 'app' }, { resetPassword: true });

  expect(outcome).toBe('password-reset');
  await expect(pg.connect({ user: 'app', password: 'second-password', database: 'app' })).resolves.toBeDefined();
});

test('the clone multi-user rotation creates (a member of the user) reaches the same tables', async () => {
  // GIVEN what the hosted multi-user rotation does on its first rotation, as the master
  await master.query("CREATE ROLE app_clone WITH LOGIN PASSWORD 'clone-password'");
  await master.query('GRANT app TO app_clone');

  // WHEN the application logs in as the clone
  const asClone = await pg.connect({ user: 'app_clone', password: 'clone-password', database: 'app' });
  await asClone.query('INSERT INTO orders DEFAULT VALUES');

  // THEN
  const rows = await asClone.query('SELECT count(*)::int AS n FROM orders');
  expect(rows.rows[0]).toEqual({ n: 1 });
});

test('names that need quoting are quoted, never interpolated raw', async () => {
  await master.query('CREATE DATABASE "Mixed-Case"');
  // (created by the master, so the master owns it, as on RDS)
  const outcome = await ensureApplicationUser(
    master,
    { username: 'odd"user', password: "it's-quoted", database: 'Mixed-Case' },
    { resetPassword: true },
  );

  expect(outcome).toBe('created');
  await expect(pg.connect({ user: 'odd"user', password: "it's-quoted", database: 'Mixed-Case' })).resolves.toBeDefined();
});
