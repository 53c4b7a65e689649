import * as path from 'node:path';
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
 * node-pg-migrate takes a PostgreSQL advisory lock first, so two runners (a retried pipeline
 * stage, a first deploy racing a pipeline run) never apply the same migration twice; the second
 * waits for the first and then finds nothing to do. All pending migrations run in one
 * transaction: a failure leaves the schema as it was.
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
  const { runner } = await import('node-pg-migrate');
  try {
    const applied = await runner({
      // No statement timeout (building an index may take minutes), but the lock timeout stays: a
      // migration waiting for a table lock would queue every request behind it.
      databaseUrl: { ...clientConfig(config.db, `${config.serviceName}-migrate`), statement_timeout: 0, query_timeout: undefined },
      dir: MIGRATIONS_DIR,
      migrationsTable: MIGRATIONS_TABLE,
      direction: 'up',
      checkOrder: true,
      singleTransaction: true,
      advisoryLockMode: 'wait',
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
  }
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
