import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadBalancerAddresses, runSmokeTest, type SmokeTestSettings } from '../../../../constructs/service/runtime/smoke-test';

/** A real HTTP server on loopback whose answers the test scripts, one per request. */
let server: http.Server;
let answers: Array<number | 'hang'>;
let seen: http.IncomingHttpHeaders[];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    const answer = answers.shift() ?? 200;
    if (answer === 'hang') return; // never answers: the client's timeout must fire
    res.writeHead(answer, { 'content-type': 'text/plain' }).end(`status ${answer}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  answers = [];
  seen = [];
});

function settings(overrides: Partial<SmokeTestSettings> = {}): SmokeTestSettings {
  const { port } = server.address() as AddressInfo;
  return {
    addresses: ['127.0.0.1'],
    port,
    host: 'shop.example.com',
    path: '/health',
    expectedStatus: 200,
    attempts: 3,
    timeoutMs: 300,
    retryDelayMs: 10,
    header: { name: 'x-shipshape-test-route', value: 'token-123' },
    ...overrides,
  };
}

test('a 200 passes at the first attempt, sent through the test route header with the clients\' Host', async () => {
  const result = await runSmokeTest(settings());
  expect(result.passed).toBe(true);
  expect(result.attempts).toHaveLength(1);
  expect(result.message).toBe('GET /health answered 200 on attempt 1 of 3');
  expect(seen[0]['x-shipshape-test-route']).toBe('token-123');
  expect(seen[0].host).toBe('shop.example.com');
});

test('attempts take the load balancer\'s addresses in turn: one dead node does not fail the test', async () => {
  // 127.0.0.2 is loopback too, but nothing listens there on this port
  const result = await runSmokeTest(settings({ addresses: ['127.0.0.2', '127.0.0.1'] }));
  expect(result.passed).toBe(true);
  expect(result.attempts.map((a) => [a.address, a.status ?? a.error])).toEqual([
    ['127.0.0.2', expect.stringMatching(/ECONNREFUSED/)],
    ['127.0.0.1', 200],
  ]);
});

test('no address to call fails at once, saying so', async () => {
  const result = await runSmokeTest(settings({ addresses: [] }));
  expect(result).toEqual({ passed: false, attempts: [], message: 'the load balancer has no private address to call' });
});

test('a 500 every time fails, reporting each answer', async () => {
  answers = [500, 500, 500];
  const result = await runSmokeTest(settings());
  expect(result.passed).toBe(false);
  expect(result.attempts.map((a) => a.status)).toEqual([500, 500, 500]);
  expect(result.message).toBe('GET /health never answered 200 in 3 attempts (got: 500, 500, 500)');
});

test('a revision that never answers fails on its timeouts', async () => {
  answers = ['hang', 'hang'];
  const result = await runSmokeTest(settings({ attempts: 2, timeoutMs: 200 }));
  expect(result.passed).toBe(false);
  expect(result.attempts.map((a) => a.error)).toEqual(['no answer within 200 ms', 'no answer within 200 ms']);
});

test('retries: a revision still warming up passes once it answers', async () => {
  answers = [503, 'hang', 200];
  const result = await runSmokeTest(settings());
  expect(result.passed).toBe(true);
  expect(result.attempts.map((a) => a.status ?? a.error)).toEqual([503, 'no answer within 300 ms', 200]);
});

test('the expected status and path are configurable; a redirect is not followed', async () => {
  answers = [302, 204];
  const result = await runSmokeTest(settings({ path: '/ready', expectedStatus: 204 }));
  expect(result.passed).toBe(true);
  expect(result.attempts.map((a) => a.status)).toEqual([302, 204]);
});

test('nothing listening fails with the connection error', async () => {
  const result = await runSmokeTest(settings({ port: 1, attempts: 1 }));
  expect(result.passed).toBe(false);
  expect(result.attempts[0].error).toMatch(/ECONNREFUSED 127.0.0.1:1/);
});

test('the load balancer\'s addresses: interfaces in use, each address once, sorted', () => {
  expect(
    loadBalancerAddresses([
      { Status: 'in-use', PrivateIpAddress: '10.0.1.20' },
      { Status: 'in-use', PrivateIpAddress: '10.0.0.7' },
      { Status: 'available', PrivateIpAddress: '10.0.2.9' },
      { Status: 'in-use' },
      { Status: 'in-use', PrivateIpAddress: '10.0.0.7' },
    ]),
  ).toEqual(['10.0.0.7', '10.0.1.20']);
});
