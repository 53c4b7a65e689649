import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { Client, type ClientConfig } from 'pg';
import { bootstrapUser } from '../../../../constructs/secrets/runtime/bootstrap-user';
import { startPostgres, type TestPostgres } from '../../../helpers/postgres';

const MASTER_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:master-AbCdEf';
const USER_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:app-GhIjKl';
const secretsMock = mockClient(SecretsManagerClient);
let pg: TestPostgres;
let connects: ClientConfig[];

beforeAll(async () => {
  pg = await startPostgres();
  const superuser = await pg.connect();
  await superuser.query("CREATE ROLE dbadmin WITH LOGIN CREATEROLE CREATEDB PASSWORD 'master-password'");
  await superuser.query('CREATE DATABASE app OWNER dbadmin');
});
afterAll(async () => pg.stop());

beforeEach(() => {
  secretsMock.reset();
  connects = [];
  secretsMock.on(GetSecretValueCommand, { SecretId: MASTER_ARN }).resolves({
    SecretString: JSON.stringify({ host: pg.host, port: pg.port, username: 'dbadmin', password: 'master-password', engine: 'postgres' }),
  });
  secretsMock.on(GetSecretValueCommand, { SecretId: USER_ARN }).resolves({
    SecretString: JSON.stringify({ host: pg.host, port: pg.port, username: 'app', password: 'generated-password', dbname: 'app' }),
  });
});

function event(requestType: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent {
  return {
    RequestType: requestType,
    ServiceToken: 'token',
    ResponseURL: 'https://example.invalid',
    StackId: 'stack',
    RequestId: 'request-1',
    LogicalResourceId: 'ApplicationUser',
    ResourceType: 'Custom::ShipshapeDatabaseUser',
    PhysicalResourceId: 'app@app',
    ResourceProperties: { ServiceToken: 'token', MasterSecretArn: MASTER_ARN, UserSecretArn: USER_ARN, DatabaseName: 'app' },
    OldResourceProperties: {},
  } as unknown as CloudFormationCustomResourceEvent;
}

const deps = () => ({
  secrets: new SecretsManagerClient({ region: 'eu-west-1' }),
  connect: (config: ClientConfig) => {
    connects.push(config);
    return new Client(config);
  },
});

test('Create reads both secrets, logs in as the master to the application database and creates the user', async () => {
  const result = await bootstrapUser(event('Create'), deps());

  expect(result).toEqual({ PhysicalResourceId: 'app@app', Data: { Outcome: 'created' } });
  expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: USER_ARN });
  expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: MASTER_ARN });
  expect(connects).toEqual([expect.objectContaining({ user: 'dbadmin', database: 'app', host: pg.host, port: pg.port })]);
  await expect(pg.connect({ user: 'app', password: 'generated-password', database: 'app' })).resolves.toBeDefined();
});

test('Update keeps the password rotation may since have changed', async () => {
  // GIVEN rotation changed the password after the user was created
  const superuser = await pg.connect();
  await superuser.query("ALTER ROLE app PASSWORD 'rotated-password'");

  const result = await bootstrapUser(event('Update'), deps());

  expect(result.Data.Outcome).toBe('unchanged');
  await expect(pg.connect({ user: 'app', password: 'rotated-password', database: 'app' })).resolves.toBeDefined();
});

test('Delete keeps the role and never logs in to the database', async () => {
  const result = await bootstrapUser(event('Delete'), deps());

  expect(result).toEqual({ PhysicalResourceId: 'app@app', Data: { Outcome: 'kept' } });
  expect(secretsMock).not.toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: MASTER_ARN });
  expect(connects).toHaveLength(0);
});

test('a secret that is not attached to the database is refused with the missing field named', async () => {
  secretsMock.on(GetSecretValueCommand, { SecretId: USER_ARN }).resolves({ SecretString: JSON.stringify({ username: 'app', password: 'x' }) });

  await expect(bootstrapUser(event('Create'), deps())).rejects.toThrow(/has no "host" field: is it attached to the database/);
  expect(connects).toHaveLength(0);
});

test('a Secrets Manager failure fails the resource (CloudFormation rolls back) without touching the database', async () => {
  secretsMock.on(GetSecretValueCommand, { SecretId: MASTER_ARN }).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));

  await expect(bootstrapUser(event('Create'), deps())).rejects.toThrow(/not authorized/);
  expect(connects).toHaveLength(0);
});

test('a database that refuses the master fails the resource and closes nothing it did not open', async () => {
  secretsMock.on(GetSecretValueCommand, { SecretId: MASTER_ARN }).resolves({
    SecretString: JSON.stringify({ host: pg.host, port: pg.port, username: 'dbadmin', password: 'stale-password' }),
  });

  await expect(bootstrapUser(event('Create'), deps())).rejects.toThrow(/password authentication failed/);
});
