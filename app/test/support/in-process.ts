import { Writable } from 'node:stream';
import { type FastifyInstance } from 'fastify';
import { type Pool } from 'pg';
import { loadConfig } from '../../src/config';
import { clientConfig, createPool } from '../../src/db/pool';
import { buildApp, type Lifecycle } from '../../src/http/app';
import { createLogger } from '../../src/logger';
import { ServerErrorsEmitter } from '../../src/metrics/emf';
import { AppMetrics } from '../../src/metrics/prometheus';
import { jsonLines } from './processes';

/** The app as server.ts builds it, with its log lines and EMF lines captured instead of printed. */
export interface InProcessApp {
  readonly app: FastifyInstance;
  readonly pool: Pool;
  readonly lifecycle: Lifecycle;
  readonly serverErrors: ServerErrorsEmitter;
  /** Listens on 127.0.0.1 (a free port); call after adding any test-only routes. */
  listen(): Promise<void>;
  /** A real HTTP request to the listening app (light-my-request's inject needs ESM in Jest). */
  request(method: string, url: string, options?: { headers?: Record<string, string>; payload?: unknown }): Promise<TestResponse>;
  logLines(): Array<Record<string, unknown>>;
  emfLines(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface TestResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  json<T = unknown>(): T;
}

export function inProcessApp(env: Record<string, string>): InProcessApp {
  const config = loadConfig(env);
  const pool = createPool(clientConfig(config.db, config.serviceName), 4);
  pool.on('error', () => undefined);
  let logs = '';
  const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _encoding, callback) => ((logs += chunk.toString()), callback()) }));
  let emf = '';
  const serverErrors = new ServerErrorsEmitter(config.serviceName, (line) => (emf += line));
  const lifecycle: Lifecycle = { shuttingDown: false };
  const app = buildApp({ pool, metrics: new AppMetrics(pool), serverErrors, lifecycle, logger });
  let origin = '';
  return {
    app,
    pool,
    async listen() {
      origin = await app.listen({ host: '127.0.0.1', port: 0 });
    },
    async request(method, url, options = {}) {
      const headers = { ...options.headers };
      let body: string | undefined;
      if (options.payload !== undefined) {
        body = typeof options.payload === 'string' ? options.payload : JSON.stringify(options.payload);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${origin}${url}`, { method, headers, body });
      const text = await res.text();
      return { statusCode: res.status, headers: Object.fromEntries(res.headers), body: text, json: <T>() => JSON.parse(text) as T };
    },
    lifecycle,
    serverErrors,
    logLines: () => jsonLines(logs),
    emfLines: () => jsonLines(emf),
    async close() {
      await app.close();
      await pool.end();
    },
  };
}
