import { type FastifyInstance } from 'fastify';
import { type Pool } from 'pg';
import { type Logger } from 'pino';
import { type AppConfig, loadConfig } from './config';
import { clientConfig, createPool, poolSize, readConnectionBudget } from './db/pool';
import { buildApp, type Lifecycle } from './http/app';
import { createLogger } from './logger';
import { ServerErrorsEmitter } from './metrics/emf';
import { AppMetrics } from './metrics/prometheus';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly pool: Pool;
  /** Readiness 503, stop accepting, finish in-flight requests, close the pool. Resolves to the exit code. */
  shutdown(reason: string): Promise<number>;
}

/** Sizes and opens the pool, starts listening and the EMF emitter. */
export async function start(config: AppConfig, logger: Logger): Promise<RunningServer> {
  const connection = clientConfig(config.db, config.serviceName);
  const budget = await readConnectionBudget(connection);
  if ('error' in budget) logger.warn({ err: budget.error }, 'could not read max_connections from the database; the pool gets the minimum size');
  const sizing = poolSize(config.maxTasks, 'error' in budget ? undefined : budget, config.poolMaxOverride);
  logger.info({ poolMax: sizing.size, ...sizing.inputs }, 'database pool sized');

  const pool = createPool(connection, sizing.size);
  // A pooled connection that fails while idle (a failover, a restart) is dropped and replaced;
  // without this listener, the error would end the process.
  pool.on('error', (err) => logger.warn({ err }, 'an idle database connection failed'));

  const lifecycle: Lifecycle = { shuttingDown: false };
  const serverErrors = new ServerErrorsEmitter(config.serviceName);
  const app = buildApp({ pool, metrics: new AppMetrics(pool), serverErrors, lifecycle, logger });
  await app.listen({ port: config.port, host: config.host });
  serverErrors.start();

  let closing: Promise<number> | undefined;
  const shutdown = (reason: string): Promise<number> => {
    closing ??= (async () => {
      lifecycle.shuttingDown = true;
      logger.info({ reason, timeoutMs: config.shutdownTimeoutMs }, 'shutdown begun: readiness is 503, finishing in-flight requests');
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs);
      });
      const drained = (async () => {
        await app.close();
        await pool.end();
        return 'drained' as const;
      })();
      try {
        const outcome = await Promise.race([drained, deadline]);
        if (outcome === 'timeout') {
          logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown did not finish within SHUTDOWN_TIMEOUT_MS; exiting with requests unfinished');
          return 1;
        }
        logger.info('shutdown complete');
        return 0;
      } catch (err) {
        logger.error({ err }, 'shutdown failed');
        return 1;
      } finally {
        clearTimeout(timer);
        serverErrors.stop();
      }
    })();
    return closing;
  };
  return { app, pool, shutdown };
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    createLogger('info').fatal({ err }, (err as Error).message);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception; exiting');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection; exiting');
    process.exit(1);
  });
  const server = await start(config, logger);
  // ECS sends SIGTERM, then SIGKILL after the task's stop timeout; Ctrl-C sends SIGINT.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void server.shutdown(signal).then((code) => process.exit(code));
    });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    createLogger('info').fatal({ err }, 'the server did not start');
    process.exit(1);
  });
}
