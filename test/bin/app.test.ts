import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** The environment of a machine that has never seen AWS: no AWS_* variables, no config files. */
function noAwsEnv(home: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_') && !key.startsWith('CDK_')));
  return { ...env, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', CI: 'true' };
}

function cdk(args: string[], outdir: string) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-home-'));
  return spawnSync(path.join(ROOT, 'node_modules/.bin/cdk'), [...args, '--output', outdir, '--no-notices', '--no-version-reporting'], {
    cwd: ROOT,
    env: noAwsEnv(home),
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('npx cdk synth, as the README says, on a machine with no AWS credentials', () => {
  type Template = { Resources: Record<string, { Type: string }>; Rules?: Record<string, { Assertions: Array<{ AssertDescription: string }> }> };
  const template = (outdir: string, stack: string) => JSON.parse(fs.readFileSync(path.join(outdir, `${stack}.template.json`), 'utf8')) as Template;

  test('produces both reference stacks from the shipped configuration; while its alarms reach nobody, CloudFormation will refuse to deploy either', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-synth-'));
    const result = cdk(['synth', '--quiet'], outdir);
    expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(Object.values(template(outdir, 'shipshape-stateful').Resources).map((r) => r.Type)).toContain('AWS::EC2::VPC');
    for (const stack of ['shipshape-stateful', 'shipshape-stateless']) {
      expect(template(outdir, stack).Rules?.AlarmsReachSomeone?.Assertions.map((a) => a.AssertDescription)).toEqual([
        expect.stringMatching(/^shipshape\.owner: the production profile refuses alarms that reach nobody: platform-oncall@example\.com is a placeholder .*; set owner to the address of whoever is on call/),
      ]);
    }
  });

  test('once someone receives the alarms, nothing refuses the deploy', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-synth-'));
    const result = cdk(['synth', '--quiet', '-c', 'shipshape.alarms.webhookSecrets=["shipshape-tests/alarm-webhook"]'], outdir);
    expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ status: 0, stderr: '' });
    for (const stack of ['shipshape-stateful', 'shipshape-stateless']) expect(template(outdir, stack).Rules?.AlarmsReachSomeone).toBeUndefined();
  });

  test('reads the file -c shipshape:configFile names, with -c overrides on top (a version stays text)', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-synth-'));
    const file = path.join(outdir, '..', `${path.basename(outdir)}-payments.json`);
    fs.writeFileSync(file, JSON.stringify({ $schema: './schema/shipshape.config.schema.json', profile: 'budget', appName: 'payments', owner: 'payments-oncall@acme.io' }, null, 2));
    const result = cdk(['synth', '--quiet', '-c', `shipshape:configFile=${file}`, '-c', 'shipshape.database.postgresVersion=16.4'], outdir);
    expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ status: 0, stderr: '' });
    const stateful = fs.readFileSync(path.join(outdir, 'payments-stateful.template.json'), 'utf8');
    expect(stateful).toMatch(/"EngineVersion":\s*"16\.4"/);
  });

  test('a bad -c override fails the synth with a message naming the property', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-synth-'));
    const result = cdk(['synth', '--quiet', '-c', 'shipshape.network.natStrategy=nat-instance'], outdir);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/shipshape\.network\.natStrategy: must be one of per-az \| single \| none/);
  });
});
