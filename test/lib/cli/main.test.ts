import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { COMMANDS, main } from '../../../lib/cli';
import { packageVersion } from '../../../lib/cli/command';
import { testCliContext } from '../../helpers/cli';

const cfn = mockClient(CloudFormationClient);
let out: string[];
let err: string[];
const run = (...args: string[]) => main(args, testCliContext('2026-12-02T04:00:00Z', out), (line) => err.push(line));

beforeEach(() => {
  cfn.reset();
  out = [];
  err = [];
});

describe('help', () => {
  test.each(COMMANDS.map((c) => [c.name]))('`shipshape %s --help` prints its options, an example and its exit codes, and calls nothing', async (name) => {
    const command = COMMANDS.find((c) => c.name === name);
    await expect(run(...name.split(' '), '--help')).resolves.toBe(0);
    const help = out.join('\n');
    expect(help).toMatch(new RegExp(`^Usage: shipshape ${name} `));
    for (const option of Object.keys(command?.options ?? {})) expect(help).toMatch(new RegExp(`^ {2}(-\\w, )?--${option}\\b`, 'm'));
    expect(help).toMatch(/^Examples?:\n {2}shipshape /m);
    expect(help).toMatch(/^Exit codes:\n {2}0 {2}.+\n {2}1 {2}.+\n {2}2 {2}.+/m);
    expect(err).toEqual([]);
    expect(cfn.calls()).toHaveLength(0);
  });

  test('-h is --help, and help wins over other options, even bad ones', async () => {
    await expect(run('status', '-h')).resolves.toBe(0);
    const short = out.join('\n');
    out = [];
    await expect(run('status', '--last', 'many', '--bogus', '--help')).resolves.toBe(0);
    expect(out.join('\n')).toBe(short);
    expect(short).toMatch(/^Usage: shipshape status /);
  });

  test('rollback --help says what happens without a pipeline: the manual command, nothing changed', async () => {
    await run('rollback', '--help');
    const help = out.join('\n');
    expect(help).toMatch(/Without a pipeline and with nothing in progress, it changes nothing and prints the command/);
    expect(help).toMatch(/npx cdk deploy --exclusively <stack> --parameters ImageVersion=@sha256:<digest>/);
    expect(help).toMatch(/--yes +do it \(without it, only show what would happen\)/);
  });

  test('`shipshape --help`, `-h` and `help` list every command and the exit codes on stdout with exit 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      out = [];
      await expect(run(flag)).resolves.toBe(0);
      for (const c of COMMANDS) expect(out.join('\n')).toContain(`  ${c.name} `);
      expect(out.join('\n')).toMatch(/Exit codes: 0 .*; 1 .*; 2 bad usage/);
    }
  });

  test('`shipshape help logs` is `shipshape logs --help`', async () => {
    await run('help', 'logs');
    const viaHelp = out.join('\n');
    out = [];
    await run('logs', '--help');
    expect(viaHelp).toBe(out.join('\n'));
  });

  test('no arguments: the usage on stderr, exit 2', async () => {
    await expect(run()).resolves.toBe(2);
    expect(err.join('\n')).toMatch(/^Usage: shipshape <command>/);
  });
});

describe('--version', () => {
  test('prints the version of package.json', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as { version: string };
    await expect(run('--version')).resolves.toBe(0);
    expect(out).toEqual([pkg.version]);
  });

  test('finds the nearest package.json named shipshape, above an unrelated one (as from dist/ in the installed package)', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-version-'));
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'shipshape', version: '9.8.7' }));
    const nested = path.join(root, 'dist', 'lib', 'cli');
    fs.mkdirSync(nested, { recursive: true });
    fs.writeFileSync(path.join(root, 'dist', 'package.json'), JSON.stringify({ type: 'commonjs' }));
    expect(packageVersion(nested)).toBe('9.8.7');
  });

  test('no shipshape package.json above: a clear error', () => {
    const lonely = fs.mkdtempSync(path.join(os.tmpdir(), 'no-package-'));
    expect(() => packageVersion(lonely)).toThrow(/cannot find shipshape's package.json above/);
  });
});

describe('bad usage exits 2 and names what is wrong, before any AWS call', () => {
  test.each([
    [['rollback', '--stak', 'x'], /^shipshape: rollback: unknown option --stak \(did you mean --stack\?\); its options: --stack, --service, --yes, --json/],
    [['status', '--jsn'], /^shipshape: status: unknown option --jsn \(did you mean --json\?\)/],
    [['drill', 'run', '--last', '3'], /^shipshape: drill run: unknown option --last; its options: --stack, --wait, --json/],
    [['bogus'], /^shipshape: unknown command "bogus"; commands: drill, release, rollback, status, alarms, logs, plan/],
    [['rollbak'], /^shipshape: unknown command "rollbak" \(did you mean rollback\?\)/],
    [['drill'], /^shipshape: drill: missing subcommand \(run \| status\)/],
    [['drill', 'explode'], /^shipshape: drill: unknown subcommand "explode"; one of run \| status/],
    [['drill', 'rnu'], /unknown subcommand "rnu" \(did you mean run\?\)/],
    [['--json'], /^shipshape: missing command: --json is an option, not a command/],
    [['rollback', '--stack'], /^shipshape: rollback: --stack needs a value \(--stack S\)/],
    [['status', '--json=yes'], /^shipshape: status: --json takes no value/],
    [['alarms', 'now'], /^shipshape: alarms: unexpected argument "now"/],
    [['status', '--last', '0'], /^shipshape: --last: a whole number from 1 to 100 \(got 0\)/],
    [['logs', '--since', 'yesterday'], /^shipshape: --since: a duration such as 10m, 2h or 1d, or an ISO time/],
    [['logs', '--filter', 'a"b'], /^shipshape: --filter: text to find in the events, without double quotes/],
    [['plan', '--region', 'eu-west-1'], /^shipshape: --region: No price table for region "eu-west-1".*priced regions: us-east-1/],
    [['plan', '--assembly', '/nonexistent/cdk.out'], /^shipshape: --assembly: \/nonexistent\/cdk.out is not a cloud assembly/],
    [['plan', '--config', '/nonexistent/shipshape.json'], /^shipshape: --config: no file \/nonexistent\/shipshape.json/],
  ])('%j', async (args, message) => {
    const started = Date.now();
    await expect(run(...args)).resolves.toBe(2);
    expect(err[0]).toMatch(message);
    expect(cfn.calls()).toHaveLength(0);
    // A refusal needs no synth (a synth of the reference app takes seconds).
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
