import * as http from 'node:http';
import { type AddressInfo } from 'node:net';
import { outboundFetch } from '../src/http/outbound';

let server: http.Server;
let origin: string;
const seen: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    if (req.url === '/slow') return; // never answers
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test('sends the correlation id as X-Request-Id, alongside the caller headers', async () => {
  const res = await outboundFetch(`${origin}/fast`, { correlationId: '1-67891233-abc', timeoutMs: 2_000, headers: { accept: 'text/plain', 'x-request-id': 'spoofed' } });
  expect(await res.text()).toBe('ok');
  expect(seen.at(-1)).toMatchObject({ 'x-request-id': '1-67891233-abc', accept: 'text/plain' });
});

test('gives up after its timeout with a TimeoutError', async () => {
  const started = Date.now();
  await expect(outboundFetch(`${origin}/slow`, { correlationId: 'c', timeoutMs: 200 })).rejects.toMatchObject({ name: 'TimeoutError' });
  expect(Date.now() - started).toBeLessThan(2_000);
});
