import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { addPolicyPacks, runWithPolicyGate } from '../../../lib/policy';
import { newApp } from '../../helpers/reference-app';

const ROOT = path.resolve(__dirname, '../../..');

describe("a consumer's app run through the policy gate", () => {
  test('an unacknowledged finding: exit 1, one report naming each finding once, no stack trace', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-consumer-'));
    // As `cdk synth` runs an app: a process of its own, NODE_ENV unset.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'NODE_ENV' && key !== 'JEST_WORKER_ID'));
    const result = spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(__dirname, 'fixtures/consumer-app.ts')], {
      cwd: ROOT,
      env: { ...env, OUTDIR: outdir },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^Policy gate: \d+ unacknowledged findings; nothing was synthesized for deployment\.$/m);
    expect(result.stderr.match(/AwsSolutions-S1 at Data\/Uploads\/Resource/g)).toHaveLength(1);
    expect(result.stderr).toContain(`Full report: ${path.join(outdir, 'validation-report.json')}`);
    expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(result.stderr).not.toMatch(/PolicyGateError|Acknowledge with/);
  });
});

describe('runWithPolicyGate', () => {
  test('prints the findings once, errors first, and exits 1', () => {
    const app = newApp();
    new s3.Bucket(new Stack(app, 'Data'), 'Uploads', { enforceSSL: true });
    addPolicyPacks(app);
    const printed: string[] = [];
    const exits: number[] = [];
    const held = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(runWithPolicyGate(app, { print: (t) => printed.push(t), exit: (c) => exits.push(c) })).toBeUndefined();
    held.mockRestore();
    expect(exits).toEqual([1]);
    expect(printed).toHaveLength(1);
    const lines = printed[0].split('\n');
    expect(lines[0]).toMatch(/^Policy gate: \d+ unacknowledged findings/);
    expect(lines.filter((l) => l.includes('AwsSolutions-S1 at Data/Uploads/Resource'))).toEqual([expect.stringMatching(/^ {2}ERROR {3}AwsSolutions-S1 /) as unknown]);
    expect(lines).toContain("  Validations.of(construct).acknowledge({ id: '<rule>', reason: 'why it is safe here' })");
  });

  test('CDK\'s own copy of the report is held back, other output of the synth is not', () => {
    const app = newApp();
    new s3.Bucket(new Stack(app, 'Data'), 'Uploads', { enforceSSL: true });
    addPolicyPacks(app);
    const consoleLines: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void consoleLines.push(args.map(String).join(' ')));
    runWithPolicyGate(app, { print: () => undefined, exit: () => undefined });
    spy.mockRestore();
    expect(consoleLines.join('\n')).not.toMatch(/AwsSolutions-S1/);
  });

  test('no finding: returns the assembly, prints nothing, does not exit', () => {
    const app = newApp();
    const queue = new CfnResource(new Stack(app, 'Data'), 'Jobs', { type: 'AWS::SQS::Queue', properties: {} });
    for (const id of ['AwsSolutions-SQS3', 'AwsSolutions-SQS4', 'NIST.800.53.R5-SQSQueueSSLRequestsOnly']) Validations.of(queue).acknowledge({ id, reason: `tested: ${id}` });
    addPolicyPacks(app);
    const printed: string[] = [];
    const exit = jest.fn();
    const assembly = runWithPolicyGate(app, { print: (t) => printed.push(t), exit });
    expect(assembly?.getStackByName('Data').templateFile).toBe('Data.template.json');
    expect(printed).toEqual([]);
    expect(exit).not.toHaveBeenCalled();
  });

  test('an error that is not a finding is thrown as it is', () => {
    const app = newApp();
    const stack = new Stack(app, 'Data');
    stack.node.addValidation({ validate: () => ['a construct is misconfigured'] });
    expect(() => runWithPolicyGate(app, { print: () => undefined, exit: () => undefined })).toThrow(/a construct is misconfigured/);
  });
});
