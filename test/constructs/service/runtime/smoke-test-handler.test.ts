import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../../constructs/service/runtime/smoke-test.lambda';

const secrets = mockClient(SecretsManagerClient);
let server: http.Server;
let status = 200;
let headers: http.IncomingHttpHeaders | undefined;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    headers = req.headers;
    res.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    SMOKE_PATH: '/health',
    EXPECTED_STATUS: '200',
    ATTEMPTS: '2',
    TIMEOUT_MS: '500',
    RETRY_DELAY_MS: '10',
    TEST_HEADER: 'x-shipshape-test-route',
    TEST_TOKEN_SECRET_ARN: 'arn:token',
  });
});
afterAll(async () => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  secrets.reset();
  secrets.on(GetSecretValueCommand, { SecretId: 'arn:token' }).resolves({ SecretString: 'the-token' });
});

const EVENT = { executionDetails: { targetServiceRevisionArn: 'rev-2', lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' } };

test('the hook answers SUCCEEDED when the new revision answers 200 to the tokened request', async () => {
  status = 200;
  expect(await handler(EVENT)).toEqual({ hookStatus: 'SUCCEEDED' });
  expect(headers?.['x-shipshape-test-route']).toBe('the-token');
});

test('the hook answers FAILED on a 500, and when the token cannot be read (ECS rolls back)', async () => {
  status = 500;
  expect(await handler(EVENT)).toEqual({ hookStatus: 'FAILED' });
  secrets.reset();
  secrets.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException'));
  status = 200;
  expect(await handler(EVENT)).toEqual({ hookStatus: 'FAILED' });
});
