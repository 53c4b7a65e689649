import autocannon from 'autocannon';
import { finished, type Finished, migrate, spawnEntry, startDatabase, type TestDatabase } from './support/processes';

let db: TestDatabase;
beforeAll(async () => {
  db = await startDatabase();
  expect((await migrate(db.env)).code).toBe(0);
});
afterAll(async () => db?.stop());

const LOAD_SECONDS = 3;
const SIGTERM_AFTER_MS = 1_500;

test('SIGTERM under load: every request the server read gets a 2xx, then the process exits 0', async () => {
  // GIVEN the server, as the image runs it, in its own process
  const child = spawnEntry('server', { ...db.env, HOST: '127.0.0.1', PORT: '0', SHIPSHAPE_MAX_TASKS: '2' });
  const exited = finished(child);
  const url = await listeningUrl(child);

  // WHEN loopback load runs for a few seconds, and SIGTERM arrives in the middle of it
  const statuses = new Map<number, number>();
  const clientErrors = new Map<string, number>();
  let sigtermAt = 0;
  let responsesAfterSigterm = 0;
  let load!: autocannon.Instance;
  const loaded = new Promise<autocannon.Result>((resolve, reject) => {
    load = autocannon({ url: `${url}/v1/notes?limit=5`, connections: 10, duration: LOAD_SECONDS, timeout: 5 }, (err: Error | null, result) => (err ? reject(err) : resolve(result)));
  });
  load.on('response', (_client, statusCode) => {
    statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
    if (sigtermAt) responsesAfterSigterm++;
  });
  let errorsBeforeSigterm = 0;
  load.on('reqError', (err: NodeJS.ErrnoException) => {
    if (!sigtermAt) errorsBeforeSigterm++;
    clientErrors.set(err.code ?? err.message, (clientErrors.get(err.code ?? err.message) ?? 0) + 1);
  });
  const sigterm = setTimeout(() => {
    sigtermAt = Date.now();
    child.kill('SIGTERM');
  }, SIGTERM_AFTER_MS);
  const [result, server] = await Promise.all([loaded, exited]);
  clearTimeout(sigterm);

  // THEN the process drained and exited 0
  expect(server.code).toBe(0);
  expect(server.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutdown begun: readiness is 503, finishing in-flight requests', 'shutdown complete']));

  // AND no request was lost: the server answered every request it read (one log line each,
  // written once the response was sent, none aborted), and the client received every one of
  // those answers, all 2xx, with no timeouts
  const served = requestLines(server);
  const received = [...statuses.values()].reduce((a, b) => a + b, 0);
  expect(served.length).toBeGreaterThan(100);
  expect(served.filter((l) => l.statusCode !== 200)).toEqual([]);
  expect(server.lines.filter((l) => l.msg === 'request aborted by the client')).toEqual([]);
  expect([...statuses.keys()]).toEqual([200]);
  expect(received).toBe(served.length);
  expect(result.non2xx).toBe(0);
  expect(result.timeouts).toBe(0);
  // AND requests in flight when SIGTERM arrived were finished, not cut off
  expect(responsesAfterSigterm).toBeGreaterThan(0);
  // AND the client errors all came after SIGTERM, and are requests the server never read (the
  // counts above match): connections refused once it stopped listening, and resets of requests
  // autocannon wrote on a connection whose last response said `Connection: close` (autocannon
  // ignores that header; an HTTP/1.1 client such as the load balancer does not send on such a
  // connection) or on an idle connection closed as the server stopped listening.
  expect(errorsBeforeSigterm).toBe(0);
  expect([...clientErrors.keys()].filter((code) => code !== 'ECONNREFUSED' && code !== 'ECONNRESET')).toEqual([]);

  // For the record (the README quotes these figures).
  console.log(`SIGTERM under load: ${served.length} requests served, ${responsesAfterSigterm} answered after SIGTERM, ${received - served.length} lost, client errors ${JSON.stringify(Object.fromEntries(clientErrors))}`);
});

/** Waits for Fastify's "Server listening at" log line and returns that address. */
function listeningUrl(child: ReturnType<typeof spawnEntry>): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (match) {
        child.stdout.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening: ${out}`)));
  });
}

function requestLines(server: Finished): Array<Record<string, unknown>> {
  return server.lines.filter((l) => l.msg === 'request');
}
