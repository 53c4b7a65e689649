import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../lib/cli';
import { buildPlan, DEFAULT_ASSUMPTIONS, estimateStack, monthlyTotal, PRICES, recoveryFigures, scheduleIntervalDays } from '../../../lib/plan';
import { testCliContext } from '../../helpers/cli';
import { fixtureTemplate } from './fixtures';

const figure = (name: string, template = fixtureTemplate()) => recoveryFigures(template).find((f) => f.figure === name);

describe('recovery figures come from the template settings', () => {
  test('a dead task leaves rotation in unhealthy x interval + timeout; halving the interval takes 10 s off', () => {
    expect(figure('a dead task leaves rotation')).toMatchObject({ seconds: 2 * 10 + 4, from: 'Targets: 2 failed checks x 10 s + 4 s timeout' });
    expect(figure('a dead task leaves rotation', fixtureTemplate({ intervalSeconds: 5 }))?.seconds).toBe(2 * 5 + 4);
  });

  test('rollback: the fastest deployment alarm counts (10 s alarm: 10 + 10 + 10 + 30 + 10 = 70 s); two datapoints add a period', () => {
    expect(figure('a bad release is detected and traffic is back on the old revision')).toMatchObject({ seconds: 70, from: expect.stringMatching(/^app-fast: 1 x 10 s .* bake 10 min$/) as unknown });
    expect(figure('a bad release is detected and traffic is back on the old revision', fixtureTemplate({ datapoints: 2 }))?.seconds).toBe(80);
  });

  test('a pre-traffic smoke test means zero production exposure for what it catches', () => {
    expect(figure('production exposure of a release the smoke test fails')?.seconds).toBe(0);
  });

  test('RPO: 5 minutes by point-in-time restore, a day by the latest snapshot; a drill twice a week', () => {
    expect(figure('RPO of point-in-time restore')).toMatchObject({ seconds: 300, from: expect.stringContaining('kept 7 days') as unknown });
    expect(figure('RPO of the latest automated snapshot')).toMatchObject({ seconds: 86_400, from: expect.stringContaining('02:00-03:00') as unknown });
    expect(figure('longest time since the last restore drill')?.seconds).toBe(3.5 * 86_400);
  });

  test.each([
    ['cron(0 6 ? * SUN *)', 7],
    ['cron(0 3 * * ? *)', 1],
    ['cron(0 3 1 * ? *)', 30],
    ['rate(12 hours)', 0.5],
    ['at(2026-12-01T00:00:00)', undefined],
  ])('schedule %s runs every %s days', (expression, days) => {
    expect(scheduleIntervalDays(expression)).toBe(days);
  });
});

describe('the monthly estimate of a fixture template matches the hand computation', () => {
  const lines = estimateStack(fixtureTemplate(), PRICES['us-east-1'], DEFAULT_ASSUMPTIONS);
  const cost = (item: string) => lines.find((l) => l.item === item)?.monthlyUsd;

  test.each([
    // 3 tasks x (1 vCPU x 0.03238 + 2 GB x 0.00356) x 730 h
    ['Fargate tasks', 3 * (0.03238 + 2 * 0.00356) * 730],
    // 730 h x (0.0225 + 1 LCU x 0.008)
    ['Application Load Balancer', 730 * (0.0225 + 0.008)],
    ['Public IPv4 (load balancer)', 2 * 730 * 0.005],
    ['NAT gateways', 730 * 0.045 + 10 * 0.045],
    ['Public IPv4 (Elastic IPs)', 730 * 0.005],
    // 2 endpoint-AZs x 730 h x 0.01 + 10 GB x 0.01
    ['VPC interface endpoints', 2 * 730 * 0.01 + 10 * 0.01],
    ['RDS instance', 2 * 0.032 * 730],
    ['RDS storage (gp3)', 2 * 50 * 0.115],
    // 10 GB + 0.2 GB/day x 7 days = 11.4 GB, under the 50 GB the instance includes
    ['Backup storage', 0],
    ['KMS keys', 1],
    ['KMS requests', 0.03],
    // one secret + 50,000 API calls x $0.05 per 10,000
    ['Secrets Manager', 0.4 + 0.25],
    // 2 standard (60 s, 300 s), 1 high-resolution (10 s), 1 composite
    ['CloudWatch alarms', 2 * 0.1 + 0.3 + 0.5],
    ['CloudWatch dashboards', 3],
    // the service's logs; the database exports none
    ['CloudWatch Logs ingestion', 5 * 0.5],
    // a scheduled state machine is a drill: Mon and Thu = 30.42 / 3.5 runs x 200 transitions
    ['Step Functions state transitions', ((30.42 / 3.5) * 200 * 0.025) / 1000],
  ])('%s', (item, expected) => {
    expect(cost(item)).toBeCloseTo(expected, 1); // lines are rounded to the cent
  });

  test('the total is the sum of the lines; each line names the resource types it prices', () => {
    expect(monthlyTotal(lines)).toBeCloseTo(lines.reduce((s, l) => s + l.monthlyUsd, 0), 2);
    expect(lines.filter((l) => l.resourceTypes.length === 0 && l.monthlyUsd > 0)).toEqual([]);
  });

  test('a Graviton task costs less than the same task on x86', () => {
    const x86 = fixtureTemplate();
    (x86.Resources.Task.Properties as Record<string, unknown>).RuntimePlatform = { CpuArchitecture: 'X86_64' };
    const x86Usd = estimateStack(x86, PRICES['us-east-1'], DEFAULT_ASSUMPTIONS).find((l) => l.item === 'Fargate tasks')?.monthlyUsd;
    expect(x86Usd).toBeCloseTo(3 * (0.04048 + 2 * 0.004445) * 730, 1);
    expect(cost('Fargate tasks')).toBeLessThan(x86Usd as number);
  });

  test('a NAT instance is priced by its type, root volume and public address', () => {
    const template = { Resources: { Nat: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: 't4g.nano', SourceDestCheck: false, NetworkInterfaces: [{ AssociatePublicIpAddress: true }] } } } };
    const natLines = estimateStack(template, PRICES['us-east-1'], DEFAULT_ASSUMPTIONS);
    expect(natLines.map((l) => [l.item, l.monthlyUsd])).toEqual([
      ['NAT instances', Math.round((730 * 0.0042 + 8 * 0.08) * 100) / 100],
      ['Public IPv4 (instances)', Math.round(730 * 0.005 * 100) / 100],
    ]);
  });

  test('the report names the largest items and whether the profile target is met', () => {
    const report = buildPlan({ stacks: [{ name: 'app', template: fixtureTemplate() }], openFindings: [], region: 'us-east-1', profile: 'budget' });
    expect(report.total.dominant.map((d) => d.item)).toEqual(['Fargate tasks', 'RDS instance', 'NAT gateways']);
    expect(report.total.target).toEqual({ limitUsd: 90, met: false });
  });

  test('always-free allowances are shown beside the total, per account, and never subtracted from it', () => {
    const report = buildPlan({ stacks: [{ name: 'a', template: fixtureTemplate() }, { name: 'b', template: fixtureTemplate() }], openFindings: [], region: 'us-east-1' });
    const sum = report.stacks.reduce((s, stack) => s + stack.cost.monthlyUsd, 0);
    expect(report.total.monthlyUsd).toBeCloseTo(sum, 2);
    // 2 dashboards, both within the 3 free; 6 standard alarm metrics, all within the 10 free: counted once for the account.
    expect(report.total.freeTier.credits.find((c) => c.allowance === 'dashboards')).toEqual({ allowance: 'dashboards', monthlyUsd: 6, basis: '2 of 2 dashboards (3 free a month)' });
    expect(report.total.freeTier.credits.find((c) => c.allowance === 'standardAlarms')?.monthlyUsd).toBeCloseTo(0.4, 2);
  });
});

describe('shipshape plan', () => {
  let assembly: string;
  let out: string[];
  let err: string[];
  beforeAll(() => {
    assembly = fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-plan-fixture-'));
    const template = fixtureTemplate();
    (template.Resources.Key as { Metadata?: unknown }).Metadata = { cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-KMS5', reason: 'because' }, { id: 'NIST.800.53.R5-X', reason: 'why' }] } };
    fs.writeFileSync(path.join(assembly, 'app.template.json'), JSON.stringify(template));
    fs.writeFileSync(path.join(assembly, 'manifest.json'), JSON.stringify({ artifacts: { app: { type: 'aws:cloudformation:stack', displayName: 'app', properties: { templateFile: 'app.template.json' } } } }));
    fs.writeFileSync(
      path.join(assembly, 'validation-report.json'),
      JSON.stringify({ pluginReports: [{ pluginName: 'AwsSolutions', violations: [{ ruleName: 'AwsSolutions-S1', description: 'no logs', violatingConstructs: [{ constructPath: 'app/Bucket/Resource' }] }] }] }),
    );
  });
  beforeEach(() => {
    out = [];
    err = [];
  });
  const run = (...args: string[]) => main(args, testCliContext('2026-11-26T10:00:00Z', out), (line) => err.push(line));

  test('--json has a stable schema: findings per pack, resources against the limit, recovery, cost with its basis', async () => {
    expect(await run('plan', '--assembly', assembly, '--json')).toBe(0);
    const report = JSON.parse(out.join('\n')) as Record<string, unknown> & { stacks: Array<Record<string, unknown>> };
    expect(Object.keys(report).sort()).toEqual(['assumptions', 'priceVersion', 'region', 'schemaVersion', 'stacks', 'total']);
    expect(report.schemaVersion).toBe(1);
    expect(Object.keys(report.stacks[0]).sort()).toEqual(['alarmsReach', 'cost', 'findings', 'name', 'recovery', 'resourceLimit', 'resources']);
    expect(report.stacks[0]).toMatchObject({ name: 'app', resources: 18, resourceLimit: 500 });
    expect(report.stacks[0].findings).toEqual([
      { pack: 'AwsSolutions', acknowledged: [{ rule: 'AwsSolutions-KMS5', reason: 'because', resources: ['Key'] }], unacknowledged: [expect.objectContaining({ rule: 'AwsSolutions-S1', constructPath: 'app/Bucket/Resource' })] },
      { pack: 'NIST.800.53.R5', acknowledged: [{ rule: 'NIST.800.53.R5-X', reason: 'why', resources: ['Key'] }], unacknowledged: [] },
    ]);
    expect(err).toEqual([]);
  });

  test('the text report prints each figure with its settings and the assumptions', async () => {
    expect(await run('plan', '--assembly', assembly)).toBe(0);
    expect(out).toContain('== app: 18 of 500 resources');
    expect(out).toContain('    AwsSolutions: 1 open, 1 acknowledged with a reason');
    expect(out).toContain('    a dead task leaves rotation: 24 s  (Targets: 2 failed checks x 10 s + 4 s timeout)');
    expect(out.find((l) => l.startsWith('  Assumed: hoursPerMonth 730, albLcus 1,'))).toBeDefined();
    expect(out.find((l) => /^ {2}Always-free allowances could cover up to \$\d+\.\d\d of it if nothing else in the account uses them \(not subtracted\):$/.test(l))).toBeDefined();
  });

  test('an unknown region is a clear error, exit 2', async () => {
    expect(await run('plan', '--assembly', assembly, '--region', 'xx-moon-1')).toBe(2);
    expect(err).toEqual([expect.stringMatching(/^shipshape: (--region: )?No price table for region "xx-moon-1" \(version 2026-12-02\); priced regions: us-east-1\. Use --region with one of them\.$/)]);
  });

  test('an assembly that is not one is a clear error', async () => {
    expect(await run('plan', '--assembly', os.tmpdir() + '/no-such-assembly')).toBe(2);
    expect(err[0]).toMatch(/--assembly: .*manifest\.json/);
  });
});

test('shipshape plan synthesizes the reference app with the policy packs and reports both stacks, no open finding', async () => {
  const out: string[] = [];
  const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-plan-config-')), 'budget.json');
  fs.writeFileSync(config, JSON.stringify({ profile: 'budget' }));
  expect(await main(['plan', '--json', '--config', config], testCliContext('2026-11-26T10:00:00Z', out), () => undefined)).toBe(0);
  const report = JSON.parse(out.join('\n')) as { profile: string; stacks: Array<{ name: string; findings: Array<{ unacknowledged: unknown[] }>; recovery: Array<{ figure: string }> }>; total: { target: { limitUsd: number } } };
  expect(report.profile).toBe('budget');
  expect(report.total.target.limitUsd).toBe(90);
  expect(report.stacks.map((s) => s.name)).toEqual(['shipshape-stateful', 'shipshape-stateless']);
  expect(report.stacks.flatMap((s) => s.findings.flatMap((f) => f.unacknowledged))).toEqual([]);
  expect(report.stacks.flatMap((s) => s.recovery.map((r) => r.figure))).toEqual(
    expect.arrayContaining(['RPO of point-in-time restore', 'longest time since the last restore drill', 'a dead task leaves rotation', 'a bad release is detected and traffic is back on the old revision']),
  );
});
