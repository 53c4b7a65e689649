import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { main } from '../../../lib/cli';
import { testCliContext } from '../../helpers/cli';

const cfn = mockClient(CloudFormationClient);
let out: string[];
let err: string[];
const run = (...args: string[]) => main(args, testCliContext('2026-12-02T05:00:00Z', out), (line) => err.push(line));

/** A configuration file in a fresh folder (the tests run in the repository, beside its cdk.json). */
function configFile(content: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-cli-config-')), 'stage.json');
  fs.writeFileSync(file, JSON.stringify(content, null, 2));
  return file;
}

const PAYMENTS = { $schema: './schema/shipshape.config.schema.json', profile: 'budget', appName: 'payments', owner: 'payments-oncall@acme.io', service: { desiredCount: 3 } };

beforeEach(() => {
  cfn.reset();
  out = [];
  err = [];
});

describe('shipshape config validate', () => {
  test('a valid file: exit 0, naming the profile and the stacks', async () => {
    await expect(run('config', 'validate', '--config', configFile(PAYMENTS))).resolves.toBe(0);
    expect(out.join('\n')).toMatch(/stage\.json: valid\. Profile budget; stacks payments-stateful and payments-stateless\./);
  });

  test('every problem at once, each with its path: exit 1', async () => {
    const file = configFile({ ...PAYMENTS, service: { cpu: 256, memoryMiB: 4096, containerPort: '80' }, database: { minCapacity: 1 }, drill: { hour: 24 } });
    await expect(run('config', 'validate', '--config', file)).resolves.toBe(1);
    const message = err.join('\n');
    expect(message).toMatch(/stage\.json: 4 problems:/);
    for (const at of ['service.memoryMiB', 'service.containerPort', 'database.minCapacity', 'drill.hour']) expect(message).toContain(`  - shipshape.${at}: `);
  });

  test('-c overrides are checked as cdk synth would take them: a version stays text', async () => {
    await expect(run('config', 'validate', '--config', configFile(PAYMENTS), '-c', 'shipshape.database.postgresVersion=16.4', '-c', 'shipshape.database.readers=2')).resolves.toBe(1);
    expect(err.join('\n')).toMatch(/1 problem:\n {2}- shipshape\.database\.readers: applies to engine aurora-serverless-v2 only/);
  });

  test('what would stop the deploy is a problem too: production alarms that reach nobody, named with what to set', async () => {
    await expect(run('config', 'validate', '--config', configFile({ ...PAYMENTS, profile: 'production', owner: 'oncall@example.com' }))).resolves.toBe(1);
    expect(err.join('\n')).toMatch(/1 problem:\n {2}- shipshape\.owner: the production profile refuses alarms that reach nobody: oncall@example\.com is a placeholder/);
  });

  test('--json lists the problems for a script, and still exits 1', async () => {
    await expect(run('config', 'validate', '--json', '--config', configFile({ ...PAYMENTS, profile: 'cheap' }))).resolves.toBe(1);
    expect(JSON.parse(out.join('\n'))).toMatchObject({ valid: false, problems: [{ path: 'profile', message: expect.stringMatching(/must be one of production \| budget/) as unknown }] });
  });

  test.each([
    [['config', 'validate', '--config', '/nonexistent/prod.json'], /--config: no file \/nonexistent\/prod\.json/],
    [['config', 'validate', '-c', 'shipshape.profile'], /-c shipshape\.profile: give KEY=VALUE/],
  ])('bad usage exits 2: %j', async (args, message) => {
    await expect(run(...args)).resolves.toBe(2);
    expect(err.join('\n')).toMatch(message);
  });
});

describe('shipshape config show', () => {
  test('every resolved value with where it came from: the file, -c, the profile or the default', async () => {
    await expect(run('config', 'show', '--config', configFile(PAYMENTS), '-c', 'shipshape.service.cpu=512', '-c', 'shipshape.service.memoryMiB=1024')).resolves.toBe(0);
    const rows = new Map(out.slice(1).map((line) => line.trim().split(/\s{2,}/) as [string, string, string]).map(([key, value, source]) => [key, { value, source }]));
    expect(out[0]).toMatch(/^Configuration from .*stage\.json \(profile budget; stacks payments-stateful, payments-stateless\)$/);
    expect(rows.get('service.desiredCount')).toEqual({ value: '3', source: expect.stringMatching(/stage\.json$/) as unknown });
    expect(rows.get('service.cpu')).toEqual({ value: '512', source: '-c shipshape.service.cpu' });
    expect(rows.get('network.natStrategy')).toEqual({ value: 'single', source: 'profile budget' });
    expect(rows.get('database.engine')).toEqual({ value: 'rds-multi-az', source: 'profile budget' });
    expect(rows.get('network.cidr')).toEqual({ value: '10.0.0.0/16', source: 'default' });
  });

  test('--json: the configuration and a source per value', async () => {
    await expect(run('config', 'show', '--json', '--config', configFile(PAYMENTS))).resolves.toBe(0);
    const shown = JSON.parse(out.join('\n')) as { config: { appName: string }; sources: Record<string, string> };
    expect(shown.config.appName).toBe('payments');
    expect(shown.sources['database.instanceType']).toBe('profile budget');
  });

  test('an invalid configuration is not shown: its problems are, exit 1', async () => {
    await expect(run('config', 'show', '--config', configFile({ appName: 'Payments' }))).resolves.toBe(1);
    expect(err.join('\n')).toMatch(/shipshape\.appName: must be 2-24 characters/);
  });
});

describe('commands name the stacks from the app configuration (appName)', () => {
  beforeEach(() => {
    cfn.on(DescribeStacksCommand).rejects(new Error('Stack with id x does not exist'));
  });

  test.each([
    [['status'], 'payments-stateless'],
    [['rollback'], 'payments-stateless'],
    [['drill', 'status'], 'payments-stateful'],
  ])('`shipshape %j --config` reads <appName>-<layer>', async (args, stack) => {
    await expect(run(...args, '--config', configFile(PAYMENTS))).resolves.toBe(1);
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: stack });
  });

  test('--stack still names another stack', async () => {
    await expect(run('status', '--config', configFile(PAYMENTS), '--stack', 'legacy-web')).resolves.toBe(1);
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'legacy-web' });
    expect(cfn).not.toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'payments-stateless' });
  });

  test('in the repository, without --config, the stacks of shipshape.config.json', async () => {
    const { appName } = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../shipshape.config.json'), 'utf8')) as { appName: string };
    await expect(run('status')).resolves.toBe(1);
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: `${appName}-stateless` });
  });

  test('an invalid appName is refused before any AWS call, pointing at --stack', async () => {
    await expect(run('status', '--config', configFile({ appName: 'Payments' }))).resolves.toBe(2);
    expect(err.join('\n')).toMatch(/appName "Payments" \(in .*stage\.json\) is not valid: .*; fix it, or name the stack with --stack/);
    expect(cfn).not.toHaveReceivedCommand(DescribeStacksCommand);
  });
});
