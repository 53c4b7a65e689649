import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from 'fastify';
import { type Pool } from 'pg';
import { databaseReady } from '../db/pool';
import { type ServerErrorsEmitter } from '../metrics/emf';
import { type AppMetrics } from '../metrics/prometheus';
import { CORRELATION_HEADER, correlationId } from './correlation';
import { notesRoutes } from './notes-routes';
import { type InvalidParam, problem, PROBLEM_CONTENT_TYPE } from './problem';

/** Set when shutdown begins: readiness answers 503 and every response closes its connection. */
export interface Lifecycle {
  shuttingDown: boolean;
}

export interface AppDependencies {
  readonly pool: Pool;
  readonly metrics: AppMetrics;
  readonly serverErrors: ServerErrorsEmitter;
  readonly lifecycle: Lifecycle;
  /** A pino logger: JSON lines, each request's lines carrying its correlation id. */
  readonly logger: FastifyBaseLogger;
}

/** How long readiness waits for `SELECT 1`, counting the wait for a pooled connection. */
export const READINESS_TIMEOUT_MS = 1_000;

export function buildApp(deps: AppDependencies): FastifyInstance {
  const { pool, metrics, serverErrors, lifecycle } = deps;
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId: (req) => correlationId(req.headers),
    // One line per request is written in onResponse below, with the route and the duration.
    logController: new LogController({ requestIdLogLabel: 'correlationId', disableRequestLogging: true }),
    // During shutdown, requests already on open connections are served (with Connection: close),
    // not refused: the load balancer has stopped sending new ones, these are in flight.
    return503OnClosing: false,
    // Above the load balancer's 60-second idle timeout, so the load balancer, not this server,
    // closes idle connections and never sends a request on one that was just closed:
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout
    keepAliveTimeout: 65_000,
    requestTimeout: 30_000,
    bodyLimit: 64 * 1024,
    // Unknown body fields are refused (and named), not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header(CORRELATION_HEADER, request.id);
  });

  // Once shutdown begins, each response closes its connection, so keep-alive connections drain
  // instead of holding the server open (Node closes only the idle ones when it stops listening).
  app.addHook('onSend', async (_request, reply) => {
    if (lifecycle.shuttingDown) reply.header('connection', 'close');
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    request.log.info({ method: request.method, route, statusCode: reply.statusCode, durationMs: Math.round(reply.elapsedTime * 100) / 100 }, 'request');
    metrics.observe(request.method, route, reply.statusCode, reply.elapsedTime / 1_000);
    serverErrors.record(reply.statusCode);
  });

  app.addHook('onRequestAbort', (request, done) => {
    request.log.warn({ method: request.method, route: request.routeOptions.url ?? 'unmatched' }, 'request aborted by the client');
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      const invalid = error.validation.map((v): InvalidParam => ({ name: fieldName(error.validationContext, v), reason: v.message ?? 'is invalid' }));
      return reply
        .status(400)
        .type(PROBLEM_CONTENT_TYPE)
        .send(problem(400, invalid.map((p) => `${p.name} ${p.reason}`).join('; '), request, invalid));
    }
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status < 500) {
      // Fastify's own client errors (malformed JSON, body too large) say what the client got wrong.
      const detail = error.code?.startsWith('FST_') ? error.message : 'The request could not be processed.';
      request.log.info({ err: error, method: request.method, route: request.routeOptions.url }, 'client error');
      return reply.status(status).type(PROBLEM_CONTENT_TYPE).send(problem(status, detail, request));
    }
    request.log.error({ err: error, method: request.method, route: request.routeOptions.url ?? 'unmatched' }, 'request failed');
    return reply
      .status(500)
      .type(PROBLEM_CONTENT_TYPE)
      .send(problem(500, 'The server could not complete the request. Quote the correlation id when reporting it.', request));
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .type(PROBLEM_CONTENT_TYPE)
      .send(problem(404, `No route matches ${request.method} ${request.url.split('?')[0]}.`, request)),
  );

  // The load balancer's health check: the process is up. It never touches the database, so a
  // database outage does not make ECS replace every task.
  app.get('/health/live', () => ({ status: 'ok' }));

  // Whether this task can serve: the database answers, and shutdown has not begun.
  app.get('/health/ready', async (request, reply) => {
    if (lifecycle.shuttingDown) {
      return reply.status(503).type(PROBLEM_CONTENT_TYPE).send(problem(503, 'The task is shutting down.', request));
    }
    if (!(await databaseReady(pool, READINESS_TIMEOUT_MS))) {
      return reply.status(503).type(PROBLEM_CONTENT_TYPE).send(problem(503, `The database did not answer SELECT 1 within ${READINESS_TIMEOUT_MS} ms.`, request));
    }
    return { status: 'ok' };
  });

  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  app.register(notesRoutes(pool), { prefix: '/v1/notes' });
  return app;
}

/** `body.title`, `querystring.limit`: where the invalid value was and which field it was. */
function fieldName(context: string | undefined, v: NonNullable<FastifyError['validation']>[number]): string {
  const path = v.instancePath.split('/').filter(Boolean);
  const params = v.params as { missingProperty?: string; additionalProperty?: string };
  const extra = params.missingProperty ?? params.additionalProperty;
  if (extra) path.push(extra);
  return [context ?? 'request', ...path].join('.');
}
