import { inProcessApp, type InProcessApp } from './support/in-process';
import { migrate, startDatabase, type TestDatabase } from './support/processes';
import { parsePrometheusText } from './support/prometheus-text';

const TRACE_ROOT = '1-67891233-abcdef012345678912345678';
const PROBLEM = 'application/problem+json; charset=utf-8';

let db: TestDatabase;
let dbStopped = false;
let subject: InProcessApp;

beforeAll(async () => {
  db = await startDatabase();
  expect((await migrate(db.env)).code).toBe(0);
  // A short statement timeout, so a test-only route can make the database fail a query for real.
  subject = inProcessApp({ ...db.env, DB_STATEMENT_TIMEOUT_MS: '300' });
  subject.app.get('/test-only/slow-query', async () => subject.pool.query('SELECT pg_sleep(2)'));
  await subject.listen();
});

afterAll(async () => {
  await subject?.close();
  if (!dbStopped) await db?.stop();
});

/** Log lines are written after the response is sent: wait for the ones `match` selects. */
async function logLinesWhere(match: (line: Record<string, unknown>) => boolean, count = 1): Promise<Array<Record<string, unknown>>> {
  for (let i = 0; i < 50; i++) {
    const lines = subject.logLines().filter(match);
    if (lines.length >= count) return lines;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return subject.logLines().filter(match);
}

describe('correlation id', () => {
  test('the Root of X-Amzn-Trace-Id is echoed in X-Request-Id and is on the request log line', async () => {
    // GIVEN a request through the load balancer, which adds X-Amzn-Trace-Id
    // WHEN it is served
    const res = await subject.request('GET', '/v1/notes?limit=5', { headers: { 'x-amzn-trace-id': `Self=1-67891234-12456789abcdef012345678;Root=${TRACE_ROOT};Sampled=1` } });

    // THEN the response and the log line carry the trace root
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe(TRACE_ROOT);
    const lines = await logLinesWhere((l) => l.correlationId === TRACE_ROOT && l.msg === 'request');
    expect(lines).toEqual([expect.objectContaining({ method: 'GET', route: '/v1/notes', statusCode: 200, durationMs: expect.any(Number), level: 30 })]);
  });

  test('without a trace header, the caller X-Request-Id is used; without either, a new UUID', async () => {
    const given = await subject.request('GET', '/health/live', { headers: { 'x-request-id': 'caller-id-42' } });
    const generated = await subject.request('GET', '/health/live');
    const unsafe = await subject.request('GET', '/health/live', { headers: { 'x-request-id': 'a"b<script>' } });

    expect(given.headers['x-request-id']).toBe('caller-id-42');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(unsafe.headers['x-request-id']).not.toContain('"');
  });
});

describe('notes', () => {
  test('create, read, and list with keyset pagination', async () => {
    // GIVEN three new notes
    const created = [];
    for (const title of ['first', 'second', 'third']) {
      const res = await subject.request('POST', '/v1/notes', { payload: { title, body: `${title} body` } });
      expect(res.statusCode).toBe(201);
      const note = res.json<{ id: string }>();
      expect(res.headers.location).toBe(`/v1/notes/${note.id}`);
      created.push(note);
    }

    // WHEN one is read, and the list is paged two at a time from before the first
    const read = await subject.request('GET', `/v1/notes/${created[1].id}`);
    // (no other test creates notes)
    const page1 = (await subject.request('GET', '/v1/notes?limit=2')).json<{ items: Array<{ id: string }>; nextAfter: string | null }>();
    const page2 = (await subject.request('GET', `/v1/notes?limit=2&after=${page1.nextAfter}`)).json<{ items: Array<{ id: string }>; nextAfter: string | null }>();

    // THEN each is found once, in order, and the last page says so
    expect(read.json()).toEqual({ id: created[1].id, title: 'second', body: 'second body', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(page1.items.map((n) => n.id)).toEqual([created[0].id, created[1].id]);
    expect(page1.nextAfter).toBe(created[1].id);
    expect(page2.items.map((n) => n.id)).toEqual([created[2].id]);
    expect(page2.nextAfter).toBeNull();
  });

  test('a note that does not exist: 404 problem+json', async () => {
    const res = await subject.request('GET', '/v1/notes/999999999');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe(PROBLEM);
    expect(res.json()).toMatchObject({ status: 404, title: 'Not Found', detail: 'There is no note 999999999.', instance: '/v1/notes/999999999' });
  });

  test.each([
    ['a body without title', { method: 'POST', url: '/v1/notes', payload: { body: 'x' } }, 'body.title'],
    ['a title too long', { method: 'POST', url: '/v1/notes', payload: { title: 'x'.repeat(201) } }, 'body.title'],
    ['an unknown body field', { method: 'POST', url: '/v1/notes', payload: { title: 'x', colour: 'red' } }, 'body.colour'],
    ['a limit out of range', { method: 'GET', url: '/v1/notes?limit=0' }, 'querystring.limit'],
    ['a malformed cursor', { method: 'GET', url: '/v1/notes?after=1;DROP' }, 'querystring.after'],
    ['a malformed id', { method: 'GET', url: '/v1/notes/abc' }, 'params.id'],
  ] as const)('%s: 400 problem+json naming the field', async (_case, request, field) => {
    const res = await subject.request(request.method, request.url, { headers: { 'x-request-id': 'validation-case' }, payload: 'payload' in request ? request.payload : undefined });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe(PROBLEM);
    expect(res.json()).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: expect.stringContaining(field),
      instance: request.url.split('?')[0],
      correlationId: 'validation-case',
      'invalid-params': [{ name: field, reason: expect.any(String) }],
    });
  });

  test('malformed JSON: 400 problem+json', async () => {
    const res = await subject.request('POST', '/v1/notes', { headers: { 'content-type': 'application/json' }, payload: '{"title":' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe(PROBLEM);
  });
});

describe('errors', () => {
  test('a failing query: 500 problem+json without internals, logged with the request context, and the next request succeeds', async () => {
    // GIVEN a route whose query exceeds the statement timeout
    // WHEN it is called
    const res = await subject.request('GET', '/test-only/slow-query', { headers: { 'x-request-id': 'forced-error' } });

    // THEN the client gets a problem with the correlation id and nothing about the cause
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toBe(PROBLEM);
    expect(res.json()).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The server could not complete the request. Quote the correlation id when reporting it.',
      instance: '/test-only/slow-query',
      correlationId: 'forced-error',
    });
    expect(res.body).not.toMatch(/statement|timeout|pg_sleep|\bat\b|\.ts|stack/i);
    // AND the log has the error with its cause and the request context
    const [logged] = await logLinesWhere((l) => l.correlationId === 'forced-error' && l.msg === 'request failed');
    expect(logged).toMatchObject({ level: 50, method: 'GET', route: '/test-only/slow-query', err: expect.objectContaining({ message: 'canceling statement due to statement timeout', stack: expect.any(String) }) });
    // AND the process keeps serving, the database too
    expect((await subject.request('GET', '/v1/notes')).statusCode).toBe(200);
    expect((await subject.request('GET', '/health/ready')).statusCode).toBe(200);
  });

  test('an unknown route: 404 problem+json', async () => {
    const res = await subject.request('DELETE', '/nowhere?x=1');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe(PROBLEM);
    expect(res.json()).toMatchObject({ status: 404, detail: 'No route matches DELETE /nowhere.', instance: '/nowhere' });
  });
});

describe('health', () => {
  test('live and ready while the database answers', async () => {
    expect((await subject.request('GET', '/health/live')).json()).toEqual({ status: 'ok' });
    const ready = await subject.request('GET', '/health/ready');
    expect(ready.statusCode).toBe(200);
  });

  test('the database down: ready answers 503 within a second, live still 200', async () => {
    // GIVEN an app whose database does not answer (nothing listens on its port)
    const down = inProcessApp({ ...db.env, DB_PORT: '1' });
    await down.listen();
    try {
      // WHEN the health checks run
      const started = Date.now();
      const ready = await down.request('GET', '/health/ready');
      const live = await down.request('GET', '/health/live');

      // THEN readiness fails fast with a problem, liveness does not depend on the database
      expect(ready.statusCode).toBe(503);
      expect(ready.headers['content-type']).toBe(PROBLEM);
      expect(ready.json()).toMatchObject({ status: 503, detail: 'The database did not answer SELECT 1 within 1000 ms.' });
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(live.statusCode).toBe(200);
    } finally {
      await down.close();
    }
  });

  test('once shutdown begins, ready answers 503 and responses close their connection', async () => {
    subject.lifecycle.shuttingDown = true;
    try {
      const ready = await subject.request('GET', '/health/ready');
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ detail: 'The task is shutting down.' });
      expect(ready.headers.connection).toBe('close');
    } finally {
      subject.lifecycle.shuttingDown = false;
    }
  });
});

describe('metrics', () => {
  test('/metrics is Prometheus text with request counts, errors, latency, pool usage and process metrics', async () => {
    // GIVEN a few requests, one of them failing
    await subject.request('GET', '/v1/notes/1');
    await subject.request('GET', '/test-only/slow-query');

    // WHEN the metrics are scraped and parsed
    const res = await subject.request('GET', '/metrics');
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = new Map(parsePrometheusText(res.body).map((f) => [f.name, f]));

    // THEN the families are there, labelled by route template, never by raw URL
    expect(families.get('http_requests_total')).toMatchObject({ type: 'COUNTER' });
    expect(families.get('http_requests_total')?.metrics).toContainEqual({ labels: { method: 'GET', route: '/v1/notes/:id', status_code: expect.stringMatching(/^(200|404)$/) }, value: expect.any(String) });
    expect(families.get('http_server_errors_total')?.metrics).toContainEqual({ labels: { method: 'GET', route: '/test-only/slow-query' }, value: expect.stringMatching(/^[1-9]/) });
    const latency = families.get('http_request_duration_seconds');
    expect(latency?.type).toBe('HISTOGRAM');
    expect(Object.keys(latency?.metrics[0].buckets ?? {})).toContain('+Inf');
    const pool = families.get('db_pool_connections');
    expect(pool?.type).toBe('GAUGE');
    expect(pool?.metrics.map((m) => m.labels?.state).sort()).toEqual(['idle', 'total', 'waiting']);
    for (const m of pool?.metrics ?? []) expect(m.value).toMatch(/^\d+$/);
    expect(families.get('db_pool_max')).toMatchObject({ type: 'GAUGE', metrics: [{ value: '4' }] });
    expect(families.get('process_cpu_user_seconds_total')).toMatchObject({ type: 'COUNTER' });
    expect(families.get('nodejs_eventloop_lag_seconds')).toMatchObject({ type: 'GAUGE' });
  });

  test('5xx responses are counted into the next EMF line', async () => {
    // GIVEN the counts so far flushed
    subject.serverErrors.flush();
    const before = subject.emfLines().length;

    // WHEN one request fails and others succeed
    await subject.request('GET', '/test-only/slow-query');
    await subject.request('GET', '/v1/notes');
    await subject.request('GET', '/nowhere');
    await logLinesWhere((l) => l.msg === 'request' && l.route === 'unmatched');
    subject.serverErrors.flush();

    // THEN the next line counts the one 5xx
    expect(subject.emfLines()[before]).toMatchObject({ ServerErrors: 1, service: 'reference-app' });
  });
});

// Last: it stops the database.
describe('database outage', () => {
  test('the database stops under a running app: ready turns 503 within a second, live stays 200', async () => {
    // GIVEN a ready app with pooled connections
    expect((await subject.request('GET', '/health/ready')).statusCode).toBe(200);

    // WHEN the database goes away
    await db.stop();
    dbStopped = true;

    // THEN readiness reports it, fast, and the process keeps answering liveness
    const started = Date.now();
    const ready = await subject.request('GET', '/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect((await subject.request('GET', '/health/live')).statusCode).toBe(200);
    expect((await subject.request('GET', '/v1/notes')).statusCode).toBe(500);
  });
});
