import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { Client, type ClientConfig, Pool } from 'pg';
import { type DatabaseConfig } from '../config';

/** Connections left for people and tools: psql sessions, the restore drill, RDS's own agents. */
export const POOL_HEADROOM_CONNECTIONS = 10;
export const POOL_MIN = 2;
export const POOL_MAX = 20;

/** The server settings the pool size is computed from. */
export interface ConnectionBudget {
  readonly maxConnections: number;
  /** superuser_reserved_connections + reserved_connections (PostgreSQL 16+) + rds.rds_superuser_reserved_connections. */
  readonly reservedConnections: number;
}

export interface PoolSizing {
  readonly size: number;
  /** How the size came about, logged at startup. */
  readonly inputs: Record<string, number | string | undefined>;
}

/**
 * Each task's share of the server's connections: every task of a release (blue and green run
 * together) plus one migration task may hold a full pool at once, and the server must still
 * have `headroom` connections left for operators.
 *
 *   size = clamp(floor((max_connections - reserved - headroom) / (maxTasks + 1)), 2, 20)
 *
 * `override` (DB_POOL_MAX) wins. Without a budget (the server could not be asked at startup)
 * the size is the minimum, which can never oversubscribe the server.
 */
export function poolSize(maxTasks: number, budget: ConnectionBudget | undefined, override?: number): PoolSizing {
  const inputs = { maxTasks, headroom: POOL_HEADROOM_CONNECTIONS, maxConnections: budget?.maxConnections, reservedConnections: budget?.reservedConnections, override };
  if (override !== undefined) return { size: override, inputs: { ...inputs, source: 'DB_POOL_MAX' } };
  if (budget === undefined) return { size: POOL_MIN, inputs: { ...inputs, source: 'minimum (server settings unavailable)' } };
  const available = budget.maxConnections - budget.reservedConnections - POOL_HEADROOM_CONNECTIONS;
  const share = Math.floor(available / (maxTasks + 1));
  return { size: Math.min(POOL_MAX, Math.max(POOL_MIN, share)), inputs: { ...inputs, source: 'computed' } };
}

/** How to connect, shared by the pool, the startup probe and the migration runner. */
export function clientConfig(db: DatabaseConfig, applicationName: string): ClientConfig {
  return {
    host: db.host,
    port: db.port,
    database: db.database,
    user: db.user,
    password: db.password,
    application_name: applicationName,
    // Verifies the chain and the host name, as sslmode=verify-full would, against the RDS CA bundle
    // (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html) and Node's own
    // root store: an RDS Proxy endpoint presents a certificate from a public CA, not the RDS one.
    ssl: db.sslMode === 'require' ? { ca: [...tls.rootCertificates, fs.readFileSync(db.caFile ?? '', 'utf8')], rejectUnauthorized: true } : false,
    connectionTimeoutMillis: db.connectionTimeoutMs,
    // Server-side limits on every session: a runaway query, or a transaction left open by a bug,
    // cannot hold locks or a connection for long.
    statement_timeout: db.statementTimeoutMs,
    idle_in_transaction_session_timeout: db.idleInTransactionTimeoutMs,
    lock_timeout: db.statementTimeoutMs,
    // Client-side too: a query on a connection the network dropped fails instead of hanging.
    query_timeout: db.statementTimeoutMs + 1_000,
    keepAlive: true,
  };
}

/** Asks the server how many connections it allows; undefined (and why) when it cannot be reached. */
export async function readConnectionBudget(config: ClientConfig): Promise<ConnectionBudget | { error: Error }> {
  const client = new Client(config);
  try {
    await client.connect();
    // pg_settings, rather than SHOW, since reserved_connections exists only from PostgreSQL 16
    // and rds.rds_superuser_reserved_connections only on RDS.
    const { rows } = await client.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings
        WHERE name IN ('max_connections', 'superuser_reserved_connections', 'reserved_connections', 'rds.rds_superuser_reserved_connections')`,
    );
    const setting = (name: string) => Number(rows.find((row) => row.name === name)?.setting ?? 0);
    return {
      maxConnections: setting('max_connections'),
      reservedConnections: setting('superuser_reserved_connections') + setting('reserved_connections') + setting('rds.rds_superuser_reserved_connections'),
    };
  } catch (err) {
    return { error: err as Error };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function createPool(config: ClientConfig, max: number): Pool {
  return new Pool({
    ...config,
    max,
    idleTimeoutMillis: 30_000,
    // New connections now and then, so a pool follows a Multi-AZ failover's DNS change.
    maxLifetimeSeconds: 1_800,
  });
}

/** Whether `SELECT 1` succeeds within `timeoutMs`, counting the wait for a connection. */
export async function databaseReady(pool: Pool, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const query = pool.query('SELECT 1').then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([query, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
