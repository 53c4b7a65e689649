import * as path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from './config';
import { clientConfig } from './db/pool';
import { createLogger } from './logger';

/** Versioned SQL files, applied in name (timestamp) order. */
export const MIGRATIONS_DIR = path.join(__dirname, '..', 'migrations');
export const MIGRATIONS_TABLE = 'schema_migrations';

/**
 * `node dist/migrate.js`: applies the pending migrations and exits 0 (also when there are none),
 * or logs why it failed and exits 1. The kit runs it as a one-off ECS task before traffic moves.
 *
 * Two runners (a retried pipeline stage, a first deploy racing a pipeline run) never race: each
 * takes node-pg-migrate's advisory lock first, so the second waits for the first, then finds
 * nothing to do. The lock is taken here rather than by node-pg-migrate only to order two session
 * settings around it: waiting for the other runner has no time limit (the ECS task's own limits
 * bound it), while the migrations themselves run with `lock_timeout`, so a migration that waits
 * for a table lock fails instead of queueing every request behind it. All pending migrations run
 * in one transaction: a failure applies none.
 */
async function main(): Promise<number> {
  const bootLogger = createLogger('info');
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    bootLogger.fatal({ err }, (err as Error).message);
    return 1;
  }
  const logger = createLogger(config.logLevel).child({ component: 'migrate' });
  // node-pg-migrate is an ES module; this file is CommonJS.
  const { runner, PG_MIGRATE_LOCK_ID } = await import('node-pg-migrate');
  // No statement timeout: building an index may take minutes.
  const client = new Client({ ...clientConfig(config.db, `${config.serviceName}-migrate`), statement_timeout: 0, lock_timeout: 0, query_timeout: undefined });
  try {
    await client.connect();
    logger.info('waiting for the migration lock');
    await client.query('SELECT pg_advisory_lock($1)', [PG_MIGRATE_LOCK_ID]);
    await client.query(`SET lock_timeout = ${config.db.statementTimeoutMs}`);
    const applied = await runner({
      dbClient: client,
      noLock: true,
      dir: MIGRATIONS_DIR,
      migrationsTable: MIGRATIONS_TABLE,
      direction: 'up',
      checkOrder: true,
      singleTransaction: true,
      logger: {
        debug: (msg: string) => logger.debug(msg),
        info: (msg: string) => logger.info(msg),
        warn: (msg: string) => logger.warn(msg),
        error: (msg: string) => logger.error(msg),
      },
    });
    logger.info({ applied: applied.map((m) => m.name), count: applied.length }, applied.length ? 'migrations applied' : 'no pending migrations');
    return 0;
  } catch (err) {
    logger.error({ err }, `migration failed, nothing applied: ${(err as Error).message}`);
    return 1;
  } finally {
    // Ending the session releases the advisory lock too.
    await client.end().catch(() => undefined);
  }
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
