import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_SCHEMA_FILE, configJsonSchema, configJsonSchemaText, validateConfig } from '../../../lib/config';
import { errorPaths, jsonSchemaValidator } from '../../helpers/json-schema-validator';

const ROOT = path.resolve(__dirname, '../../..');
const schemaFile = path.join(ROOT, CONFIG_SCHEMA_FILE);
const validate = jsonSchemaValidator(JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as object);

const validatorPaths = (raw: unknown) => validateConfig(raw).problems.map((p) => p.path);

test('the committed schema is the one generated from lib/config/schema.ts (run `npx tsx scripts/config-schema.ts`)', () => {
  expect(fs.readFileSync(schemaFile, 'utf8')).toBe(configJsonSchemaText());
});

test('the reference configuration points editors at the schema', () => {
  const reference = JSON.parse(fs.readFileSync(path.join(ROOT, 'shipshape.config.json'), 'utf8')) as { $schema: string };
  expect(path.resolve(ROOT, reference.$schema)).toBe(schemaFile);
  expect(configJsonSchema()).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#', additionalProperties: false });
});

const GOOD: Array<[string, unknown]> = [
  ['the reference configuration', JSON.parse(fs.readFileSync(path.join(ROOT, 'shipshape.config.json'), 'utf8'))],
  ['an empty configuration', {}],
  ['a budget app with its own image', { profile: 'budget', appName: 'payments', service: { image: { repository: 'payments', tag: 'v1.2.0' }, cpu: 512, memoryMiB: 2048 } }],
  [
    'every part set',
    {
      profile: 'production',
      appName: 'shop',
      owner: 'team@example.com',
      tags: { 'cost-center': 'web shop', team: 'a/b' },
      env: { account: '111111111111', region: 'eu-west-1' },
      network: { maxAzs: 3, natStrategy: 'per-az', cidr: '10.1.0.0/16', flowLogRetentionDays: 365 },
      service: {
        image: { repository: 'shop', tag: 'v1' },
        containerPort: 3000,
        containerUser: '1000:1000',
        desiredCount: 3,
        maxCount: 12,
        cpu: 1024,
        memoryMiB: 4096,
        cpuArchitecture: 'arm64',
        healthCheckPath: '/health',
        releaseStrategy: 'blue-green',
        bakeMinutes: 15,
        https: { domainName: 'shop.example.com', hostedZoneId: 'Z123ABC', hostedZoneName: 'example.com' },
      },
      database: { engine: 'aurora-serverless-v2', postgresVersion: '16.4', minCapacity: 0.5, maxCapacity: 8, readers: 2, backup: { vaultLock: { minRetentionDays: 7 }, crossRegionCopy: { region: 'eu-central-1', vaultName: 'dr' } } },
      drill: { weekDay: 'SAT', hour: 3, timeZone: 'Europe/Berlin', source: 'point-in-time', checks: { tables: [{ table: 'orders', minRows: 1 }], sql: [{ name: 'one', sql: 'SELECT 1', expect: { equals: 1 } }] } },
      alarms: { emails: ['pager@example.com'], webhooks: ['https://hooks.example.com/x'], thresholds: { p99LatencySeconds: 2 }, disabled: ['alb-5xx-rate'] },
      pipeline: { source: { kind: 'git', connectionArn: 'arn:aws:codestar-connections:eu-west-1:111111111111:connection/abc-123', repository: 'acme/shop' }, migrationCommand: ['npm', 'run', 'migrate'] },
      secrets: { SESSION_KEY: 'generated' },
    },
  ],
];

test.each(GOOD)('the schema and the validator accept %s', (_what, raw) => {
  expect({ schema: validate(raw), errors: validate.errors ?? null }).toEqual({ schema: true, errors: null });
  expect(validatorPaths(raw)).toEqual([]);
});

/** Bad values: the schema refuses each where the validator does, so an editor marks the same key. */
const BAD: Array<[string, unknown]> = [
  ['an unknown profile', { profile: 'cheap' }],
  ['an unknown top-level key', { profiel: 'budget' }],
  ['an unknown nested key', { network: { natGateways: 2 } }],
  ['one AZ', { network: { maxAzs: 1 } }],
  ['an unknown NAT strategy', { network: { natStrategy: 'nat-instance' } }],
  ['a retention CloudWatch does not offer', { network: { flowLogRetentionDays: 10 } }],
  ['a CIDR that is too small', { network: { cidr: '10.0.0.0/28' } }],
  ['an app name with capitals', { appName: 'MyApp' }],
  ['a malformed owner', { owner: 'oncall-at-example' }],
  ['a reserved tag key, in any case', { tags: { 'AWS:owner': 'me' } }],
  ['a short account id', { env: { account: '1234' } }],
  ['a malformed region', { env: { region: 'Virginia' } }],
  ['a port out of range', { service: { containerPort: 0 } }],
  ['a port as text', { service: { containerPort: '80' } }],
  ['a CPU Fargate does not offer', { service: { cpu: 300 } }],
  ['too little memory', { service: { memoryMiB: 256 } }],
  ['a health check path without a slash', { service: { healthCheckPath: 'health' } }],
  ['an image of neither shape', { service: { image: { repo: 'x' } } }],
  ['an image tag as a number', { service: { image: { repository: 'shop', tag: 2 } } }],
  ['an unknown engine', { database: { engine: 'mysql' } }],
  ['a PostgreSQL version as a number', { database: { postgresVersion: 16.4 } }],
  ['too long a backup retention', { database: { backupRetentionDays: 36 } }],
  ['an instance type with db.', { database: { instanceType: 'db.t4g.micro' } }],
  ['a vault lock changeable for 1 day', { database: { backup: { vaultLock: { minRetentionDays: 7, changeableForDays: 1 } } } }],
  ['a secret name that is not an environment variable', { secrets: { 'api-key': 'operator' } }],
  ['an unknown secret source', { secrets: { API_KEY: 'typed-by-hand' } }],
  ['an unknown week day', { drill: { weekDay: 'sunday' } }],
  ['hour 24', { drill: { hour: 24 } }],
  ['a table name with SQL in it', { drill: { checks: { tables: [{ table: 'orders;--' }] } } }],
  ['an email list that is a string', { alarms: { emails: 'oncall@example.com' } }],
  ['a malformed alarm email', { alarms: { emails: ['oncall@'] } }],
  ['a webhook over http', { alarms: { webhooks: ['http://hooks.example.com/x'] } }],
  ['an unknown alarm', { alarms: { disabled: ['everything'] } }],
  ['an unknown threshold', { alarms: { thresholds: { latency: 1 } } }],
  ['a git source without a connection', { pipeline: { source: { kind: 'git', repository: 'acme/shop' } } }],
  ['an unknown risk', { acceptedRisks: { 'no-backups': 'we like danger a lot' } }],
  ['a risk accepted without a reason', { acceptedRisks: { 'single-nat-gateway': 'ok' } }],
];

test.each(BAD)('the schema refuses %s at the path the validator reports', (_what, raw) => {
  const expected = validatorPaths(raw);
  expect(expected.length).toBeGreaterThan(0);
  expect(validate(raw)).toBe(false);
  expect(errorPaths(validate.errors)).toEqual(expect.arrayContaining(expected));
});

/**
 * What only the validator checks (`config validate`, `cdk synth`): rules across fields, the
 * profile's risks, the PostgreSQL versions of each engine, alarm threshold ranges and time zones.
 */
const VALIDATOR_ONLY: Array<[string, unknown]> = [
  ['a CPU/memory pair Fargate does not run', { service: { cpu: 256, memoryMiB: 4096 } }],
  ['a maximum below the desired count', { service: { desiredCount: 4, maxCount: 3 } }],
  ['a setting of the other engine', { profile: 'budget', database: { minCapacity: 1 } }],
  ['a PostgreSQL version the engine does not know', { database: { postgresVersion: '17.42' } }],
  ['a capacity off the 0.5 ACU step', { database: { maxCapacity: 2.2 } }],
  ['the minimum capacity above the maximum', { database: { minCapacity: 8, maxCapacity: 2 } }],
  ['a risk the production profile refuses', { network: { natStrategy: 'single' } }],
  ['a certificate without a domain', { service: { https: { certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc-1' } } }],
  ['an alarm threshold out of range', { alarms: { thresholds: { p99LatencySeconds: 120 } } }],
  ['an unknown time zone', { drill: { timeZone: 'Mars/Olympus' } }],
];

test.each(VALIDATOR_ONLY)('only the validator refuses %s', (_what, raw) => {
  expect(validate(raw)).toBe(true);
  expect(validatorPaths(raw).length).toBeGreaterThan(0);
});
