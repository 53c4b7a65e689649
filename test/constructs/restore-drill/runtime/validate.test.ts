import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { Client, type ClientConfig } from 'pg';
import type { DrillChecks, DrillConfig, DrillState } from '../../../../constructs/restore-drill/runtime/drill-state';
import { validateStep } from '../../../../constructs/restore-drill/runtime/validate-step';
import { startPostgres, type TestPostgres } from '../../../helpers/postgres';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:rds!cluster-abc';
const TARGET = new Date('2026-11-22T06:00:00Z');
const secretsMock = mockClient(SecretsManagerClient);
let pg: TestPostgres;

beforeAll(async () => {
  pg = await startPostgres();
  // GIVEN a restored copy: orders written up to 2 minutes before the target, a heartbeat 30 s before it
  const admin = await pg.connect();
  await admin.query('CREATE DATABASE app');
  const app = await pg.connect({ database: 'app' });
  await app.query('CREATE TABLE orders (id serial PRIMARY KEY, created_at timestamptz NOT NULL)');
  await app.query("INSERT INTO orders (created_at) SELECT timestamptz '2026-11-22T05:58:00Z' - (n || ' minutes')::interval FROM generate_series(0, 41) n");
  await app.query('CREATE SCHEMA shipshape');
  await app.query('CREATE TABLE shipshape.heartbeat (id int PRIMARY KEY, beat_at timestamptz NOT NULL)');
  await app.query("INSERT INTO shipshape.heartbeat VALUES (1, '2026-11-22T05:59:30Z')");
});
afterAll(async () => pg.stop());
beforeEach(() => {
  secretsMock.reset();
  secretsMock.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify({ username: pg.superuser.user, password: pg.superuser.password }) });
});

function state(checks: DrillChecks): DrillState {
  return {
    config: { databaseName: 'app', checks } as unknown as DrillConfig,
    executionName: 'weekly-1',
    startedAt: '2026-11-22T06:00:00Z',
    source: { kind: 'snapshot', snapshotIdentifier: 'rds:db-2026-11-22', targetTime: TARGET.toISOString() },
    endpoint: { host: pg.host, port: pg.port },
    masterSecretArn: SECRET_ARN,
  };
}

const deps = (connect?: (c: ClientConfig) => Client) => ({
  secrets: new SecretsManagerClient({ region: 'eu-west-1' }),
  connect: connect ?? ((config: ClientConfig) => new Client(config)),
  now: () => new Date('2026-11-22T06:20:00Z'),
});

function byName(result: DrillState) {
  return Object.fromEntries((result.validation?.checks ?? []).map((c) => [c.name, c]));
}

test('passing checks: connectivity, tables with their minimum rows, freshness, custom SQL', async () => {
  const result = await validateStep(
    state({
      tables: [{ table: 'orders', minRows: 40 }],
      freshnessColumn: 'orders.created_at',
      sql: [{ name: 'no order from the future', sql: "SELECT count(*) FROM orders WHERE created_at > '2026-11-22T06:00:00Z'", expect: { equals: 0 } }],
    }),
    deps(),
  );

  expect(result.validation?.passed).toBe(true);
  const checks = byName(result);
  expect(checks.connectivity.message).toMatch(/^PostgreSQL 17/);
  expect(checks['table orders']).toEqual({ name: 'table orders', passed: true, message: '42 rows' });
  expect(checks.freshness.message).toBe('newest write 2026-11-22T05:58:00.000Z, 120 s before the target');
  expect(result.validation?.newestWrite).toBe('2026-11-22T05:58:00.000Z');
  expect(result.validation?.validatedAt).toBe('2026-11-22T06:20:00.000Z');
  expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET_ARN });
});

test('the heartbeat table measures freshness of a quiet database', async () => {
  const result = await validateStep(state({ heartbeat: true }), deps());
  expect(byName(result).freshness).toMatchObject({ passed: true, message: 'newest write 2026-11-22T05:59:30.000Z, 30 s before the target' });
});

test('a missing table fails the drill with its name', async () => {
  const result = await validateStep(state({ tables: [{ table: 'payments' }, { table: 'orders' }] }), deps());
  expect(result.validation?.passed).toBe(false);
  expect(byName(result)['table payments']).toEqual({ name: 'table payments', passed: false, message: 'table payments does not exist' });
  expect(byName(result)['table orders'].passed).toBe(true);
});

test('a row count below the minimum fails with both numbers', async () => {
  const result = await validateStep(state({ tables: [{ table: 'orders', minRows: 1000 }] }), deps());
  expect(byName(result)['table orders']).toMatchObject({ passed: false, message: 'orders has 42 rows, fewer than the minimum 1000' });
});

test('stale data fails: the newest write is older than the limit allows', async () => {
  const result = await validateStep(state({ freshnessColumn: 'orders.created_at', maxDataAgeMinutes: 1 }), deps());
  expect(byName(result).freshness).toMatchObject({ passed: false, message: expect.stringMatching(/is 2 min older than the target .* \(limit 1 min\)/) });
});

test('a failing custom SQL check says what it expected and got; a broken one reports the SQL error', async () => {
  const result = await validateStep(
    state({
      sql: [
        { name: 'enough orders', sql: 'SELECT count(*) FROM orders', expect: { min: 100 } },
        { name: 'broken', sql: 'SELECT nope FROM orders', expect: { equals: 1 } },
      ],
    }),
    deps(),
  );
  expect(byName(result)['enough orders']).toMatchObject({ passed: false, message: 'expected at least 100, got 42' });
  expect(byName(result).broken).toMatchObject({ passed: false, message: 'column "nope" does not exist' });
});

test('a wrong password is a failed drill with the server message, not a crash', async () => {
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: pg.superuser.user, password: 'stale' }) });
  const result = await validateStep(state({}), deps());
  expect(result.validation).toMatchObject({ passed: false, checks: [{ name: 'connectivity', passed: false, message: expect.stringMatching(/password authentication failed/) }] });
});

test('TLS is required: the validator never falls back to a plaintext connection', async () => {
  // The test server offers no TLS; the validator (as the Lambda configures it) insists on it.
  const result = await validateStep(state({}), deps((config) => new Client({ ...config, ssl: { rejectUnauthorized: true } })));
  expect(result.validation).toMatchObject({ passed: false, checks: [{ name: 'connectivity', passed: false, message: expect.stringMatching(/does not support SSL/) }] });
});
