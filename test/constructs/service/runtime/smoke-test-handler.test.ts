import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../../constructs/service/runtime/smoke-test.lambda';

const ec2 = mockClient(EC2Client);
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
    LOAD_BALANCER_INTERFACES: 'ELB app/shop/0123456789abcdef',
    TEST_PORT: String((server.address() as AddressInfo).port),
    HOST: 'shop.example.com',
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
  ec2.reset();
  // The load balancer's one node in this test listens on loopback.
  ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [{ Status: 'in-use', PrivateIpAddress: '127.0.0.1' }] });
});

const EVENT = { executionDetails: { targetServiceRevisionArn: 'rev-2', lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' } };

test('the hook answers SUCCEEDED when the new revision answers 200 to the tokened request on the test port', async () => {
  status = 200;
  expect(await handler(EVENT)).toEqual({ hookStatus: 'SUCCEEDED' });
  expect(headers?.['x-shipshape-test-route']).toBe('the-token');
  expect(headers?.host).toBe('shop.example.com');
});

test('it finds the load balancer\'s addresses by the interface description the template passes', async () => {
  await handler(EVENT);
  expect(ec2).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, { Filters: [{ Name: 'description', Values: ['ELB app/shop/0123456789abcdef'] }] });
});

test('the hook answers FAILED on a 500, and when the token cannot be read (ECS rolls back)', async () => {
  status = 500;
  expect(await handler(EVENT)).toEqual({ hookStatus: 'FAILED' });
  secrets.reset();
  secrets.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException'));
  status = 200;
  expect(await handler(EVENT)).toEqual({ hookStatus: 'FAILED' });
});

test('the hook answers FAILED when the addresses cannot be read, or there are none', async () => {
  ec2.on(DescribeNetworkInterfacesCommand).rejects(new Error('UnauthorizedOperation'));
  expect(await handler(EVENT)).toEqual({ hookStatus: 'FAILED' });
  ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
  expect(await handler(EVENT)).toEqual({ hookStatus: 'FAILED' });
});
