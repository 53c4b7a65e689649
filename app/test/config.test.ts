import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { ConfigError, loadConfig, RDS_CA_BUNDLE_PATH } from '../src/config';
import { clientConfig, POOL_MAX, POOL_MIN, poolSize } from '../src/db/pool';

const DB = { DB_HOST: 'db.internal', DB_NAME: 'app', DB_USER: 'app', DB_PASSWORD: 'secret', DB_SSLMODE: 'disable' };
const noFiles = () => false;

describe('loadConfig', () => {
  test('defaults: port 8080 on all interfaces, 5 s statement timeout, 25 s shutdown, service reference-app', () => {
    expect(loadConfig(DB, noFiles)).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      serviceName: 'reference-app',
      maxTasks: 2,
      poolMaxOverride: undefined,
      shutdownTimeoutMs: 25_000,
      db: { host: 'db.internal', port: 5432, sslMode: 'disable', caFile: undefined, statementTimeoutMs: 5_000 },
    });
  });

  test('each missing or malformed variable is named', () => {
    const attempt = () => loadConfig({ DB_HOST: 'db', DB_NAME: 'app', DB_USER: 'app', DB_PORT: 'five', SHIPSHAPE_MAX_TASKS: '0' }, noFiles);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/DB_PORT: must be a whole number/);
    expect(attempt).toThrow(/SHIPSHAPE_MAX_TASKS: Too small: expected number to be >=1/);
    expect(attempt).toThrow(/DB_PASSWORD: is required/);
  });

  test('DB_SSLMODE=require without the CA bundle stops startup, naming DB_SSL_CA_FILE', () => {
    expect(() => loadConfig({ ...DB, DB_SSLMODE: 'require' }, noFiles)).toThrow(/DB_SSL_CA_FILE: .*rds-global-bundle\.pem does not exist/);
  });

  test('DB_SSLMODE=require uses the bundle baked into the image, or DB_SSL_CA_FILE', () => {
    expect(loadConfig({ ...DB, DB_SSLMODE: 'require' }, (p) => p === RDS_CA_BUNDLE_PATH).db.caFile).toBe(RDS_CA_BUNDLE_PATH);
    expect(loadConfig({ ...DB, DB_SSLMODE: 'require', DB_SSL_CA_FILE: '/ca.pem' }, (p) => p === '/ca.pem').db.caFile).toBe('/ca.pem');
  });

  test('an empty variable counts as unset', () => {
    expect(loadConfig({ ...DB, PORT: '', DB_POOL_MAX: '' }, noFiles)).toMatchObject({ port: 8080, poolMaxOverride: undefined });
  });
});

describe('poolSize', () => {
  test('shares the connections left after reserved and headroom among all tasks plus one migration', () => {
    // db.t4g.micro-sized server: max_connections 87 (RDS default for ~1 GiB), 3 reserved (+2 RDS)
    // (87 - 5 - 10) / (4 tasks + 1) = 14.4 -> 14
    expect(poolSize(4, { maxConnections: 87, reservedConnections: 5 }).size).toBe(14);
  });

  test('clamped to [2, 20]', () => {
    expect(poolSize(40, { maxConnections: 100, reservedConnections: 3 }).size).toBe(POOL_MIN);
    expect(poolSize(2, { maxConnections: 5_000, reservedConnections: 3 }).size).toBe(POOL_MAX);
  });

  test('DB_POOL_MAX wins; without the server settings, the minimum', () => {
    expect(poolSize(4, { maxConnections: 87, reservedConnections: 5 }, 7)).toMatchObject({ size: 7, inputs: { source: 'DB_POOL_MAX' } });
    expect(poolSize(4, undefined)).toMatchObject({ size: POOL_MIN, inputs: { source: 'minimum (server settings unavailable)' } });
  });
});

describe('clientConfig', () => {
  test('DB_SSLMODE=require: TLS verified against the CA bundle and the public roots; disable: no TLS', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-'));
    const caFile = path.join(dir, 'bundle.pem');
    fs.writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nRDS\n-----END CERTIFICATE-----\n');
    const required = clientConfig(loadConfig({ ...DB, DB_SSLMODE: 'require', DB_SSL_CA_FILE: caFile }).db, 'svc');
    expect(required.ssl).toEqual({ ca: [...tls.rootCertificates, fs.readFileSync(caFile, 'utf8')], rejectUnauthorized: true });
    expect(required).toMatchObject({ statement_timeout: 5_000, lock_timeout: 5_000, idle_in_transaction_session_timeout: 10_000, query_timeout: 6_000, connectionTimeoutMillis: 3_000, application_name: 'svc' });
    expect(clientConfig(loadConfig(DB, noFiles).db, 'svc').ssl).toBe(false);
    fs.rmSync(dir, { recursive: true });
  });
});
