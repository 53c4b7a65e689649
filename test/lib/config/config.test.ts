import { App } from 'aws-cdk-lib';
import { NatStrategy } from '../../../constructs/network';
import { loadConfig, resolveConfig } from '../../../lib/config';
import { problemsOf } from '../../helpers/config-problems';


describe('resolveConfig defaults', () => {
  test('an empty configuration is the production profile with a NAT gateway per AZ over 2 AZs', () => {
    const config = resolveConfig({});
    expect(config.profile).toBe('production');
    expect(config.network).toEqual(
      expect.objectContaining({ maxAzs: 2, natStrategy: NatStrategy.PER_AZ, cidr: '10.0.0.0/16', flowLogRetentionDays: 365 }),
    );
  });

  test('the budget profile uses one NAT gateway and 30-day flow logs without asking for a risk acceptance', () => {
    const config = resolveConfig({ profile: 'budget' });
    expect(config.network.natStrategy).toBe(NatStrategy.SINGLE);
    expect(config.network.flowLogRetentionDays).toBe(30);
  });

  test('explicit settings win over the profile', () => {
    const config = resolveConfig({ profile: 'budget', network: { natStrategy: 'per-az', maxAzs: 3 } });
    expect(config.network).toEqual(expect.objectContaining({ natStrategy: NatStrategy.PER_AZ, maxAzs: 3 }));
  });

  test('production accepts a single NAT gateway when the risk is accepted with a reason', () => {
    const config = resolveConfig({
      network: { natStrategy: 'single' },
      acceptedRisks: { 'single-nat-gateway': 'egress is only for a nightly batch that can retry' },
    });
    expect(config.network.natStrategy).toBe(NatStrategy.SINGLE);
  });
});

describe('resolveConfig refuses bad input, naming the property, the value and what is allowed', () => {
  test.each([
    ['an unknown profile', { profile: 'cheap' }, /shipshape\.profile: must be one of production \| budget.*\(got "cheap"\)/],
    ['an unknown NAT strategy', { network: { natStrategy: 'nat-instance' } }, /shipshape\.network\.natStrategy: must be one of per-az \| single \| none.*\(got "nat-instance"\)/],
    ['one AZ', { network: { maxAzs: 1 } }, /shipshape\.network\.maxAzs: must be one of 2 \| 3.*\(got 1\)/],
    ['a negative retention', { network: { flowLogRetentionDays: -5 } }, /shipshape\.network\.flowLogRetentionDays: must be one of 1 \| 3 \| 5 .*\(got -5\)/],
    ['a retention CloudWatch does not offer', { network: { flowLogRetentionDays: 10 } }, /shipshape\.network\.flowLogRetentionDays: .*\(got 10\)/],
    ['a malformed owner email', { owner: 'oncall-at-example' }, /shipshape\.owner: must be an email address.*\(got "oncall-at-example"\)/],
    ['an unknown top-level key', { profiel: 'budget' }, /shipshape: unknown key\(s\) "profiel"; allowed keys: profile, appName/],
    ['an unknown nested key', { network: { natGateways: 2 } }, /shipshape\.network: unknown key\(s\) "natGateways"; allowed keys: maxAzs, natStrategy/],
    ['an app name with capitals', { appName: 'MyApp' }, /shipshape\.appName: must be 2-24 characters: lowercase.*\(got "MyApp"\)/],
    ['a CIDR that is too small', { network: { cidr: '10.0.0.0/28' } }, /shipshape\.network\.cidr: must be an IPv4 CIDR block from \/16 to \/24.*\(got "10.0.0.0\/28"\)/],
    ['a reserved tag key', { tags: { 'aws:owner': 'me' } }, /shipshape\.tags\.aws:owner: tag keys may not start with "aws:" or "shipshape:"/],
    ['a short account id', { env: { account: '1234' } }, /shipshape\.env\.account: must be a 12-digit AWS account id \(got "1234"\)/],
    ['a malformed region', { env: { region: 'Virginia' } }, /shipshape\.env\.region: must be an AWS region name such as us-east-1 \(got "Virginia"\)/],
    ['an unknown risk', { acceptedRisks: { 'no-backups': 'we like danger a lot' } }, /shipshape\.acceptedRisks: unknown key\(s\) "no-backups"; allowed keys: single-nat-gateway/],
    ['a risk accepted without a reason', { acceptedRisks: { 'single-nat-gateway': 'ok' } }, /shipshape\.acceptedRisks\.single-nat-gateway: say why the risk is acceptable/],
  ])('%s', (_what, raw, message) => {
    expect(problemsOf(raw)).toMatch(message);
  });

  test('production refuses a single NAT gateway unless the risk is accepted, and says how to accept it', () => {
    expect(problemsOf({ network: { natStrategy: 'single' } })).toMatch(
      /shipshape\.acceptedRisks\.single-nat-gateway: the production profile refuses one NAT gateway.*set acceptedRisks\.single-nat-gateway to the reason/,
    );
  });

  test('every bad property is reported at once, not only the first', () => {
    const message = problemsOf({ profile: 'x', network: { maxAzs: 7, natStrategy: 'y' } });
    expect(message).toMatch(/shipshape\.profile/);
    expect(message).toMatch(/shipshape\.network\.maxAzs/);
    expect(message).toMatch(/shipshape\.network\.natStrategy/);
  });
});

describe('loadConfig', () => {
  test('reads the shipshape context object and applies dotted -c overrides on top, parsing JSON values', () => {
    const app = new App({
      context: {
        shipshape: { profile: 'production', network: { maxAzs: 2 } },
        'shipshape.profile': 'budget',
        'shipshape.network.maxAzs': '3',
        'shipshape.tags': '{"team":"payments"}',
      },
    });
    const config = loadConfig(app.node);
    expect(config.profile).toBe('budget');
    expect(config.network.maxAzs).toBe(3);
    expect(config.tags).toEqual({ team: 'payments' });
  });

  test('accepts the whole object as a JSON string, as -c shipshape=\'{...}\' gives it', () => {
    const app = new App({ context: { shipshape: '{"profile":"budget"}' } });
    expect(loadConfig(app.node).profile).toBe('budget');
  });

  test('an override into a value that is not an object names the key', () => {
    const app = new App({ context: { shipshape: { profile: 'budget' }, 'shipshape.profile.name': 'x' } });
    expect(() => loadConfig(app.node)).toThrow(/shipshape\.profile: is "budget", not an object/);
  });

  test('a misspelt override key is refused like any unknown key', () => {
    const app = new App({ context: { 'shipshape.network.natStrategyy': 'none' } });
    expect(() => loadConfig(app.node)).toThrow(/shipshape\.network: unknown key\(s\) "natStrategyy"/);
  });
});

describe('service configuration', () => {
  test('production runs 2 tasks of 0.5 vCPU / 1 GB with ALB deletion protection; budget 2 tasks of 0.25 vCPU / 0.5 GB without', () => {
    const production = resolveConfig({}).service;
    const budget = resolveConfig({ profile: 'budget' }).service;
    expect([production.desiredCount, production.cpu, production.memoryMiB, production.deletionProtection]).toEqual([2, 512, 1024, true]);
    expect([budget.desiredCount, budget.cpu, budget.memoryMiB, budget.deletionProtection]).toEqual([2, 256, 512, false]);
  });

  test.each([
    ['one task', { service: { desiredCount: 1 } }, /shipshape\.acceptedRisks\.single-task: the production profile refuses one task/],
    ['no deletion protection', { service: { deletionProtection: false } }, /shipshape\.acceptedRisks\.no-deletion-protection: the production profile refuses/],
    ['Fargate Spot', { service: { spotWeight: 2 } }, /shipshape\.acceptedRisks\.fargate-spot: the production profile refuses Fargate Spot/],
  ])('production refuses %s unless the risk is accepted', (_what, raw, message) => {
    expect(problemsOf(raw)).toMatch(message);
  });

  test('a desired count above the profile maximum raises the maximum when none is set', () => {
    expect(resolveConfig({ profile: 'budget', service: { desiredCount: 6 } }).service.maxCount).toBe(6);
  });

  test('budget runs one task on Spot without a risk acceptance', () => {
    expect(resolveConfig({ profile: 'budget', service: { desiredCount: 1, spotWeight: 1 } }).service.desiredCount).toBe(1);
  });

  test.each([
    ['a CPU/memory pair Fargate does not run', { service: { cpu: 256, memoryMiB: 4096 } }, /shipshape\.service\.memoryMiB: 4096 is not a Fargate size for service\.cpu 256; with cpu 256 memoryMiB is one of 512 \| 1024 \| 2048; or set service\.cpu to 512 \| 1024 \| 2048/],
    ['a port out of range', { service: { containerPort: 0 } }, /shipshape\.service\.containerPort: .*\(got 0\)/],
    ['a health check path without a slash', { service: { healthCheckPath: 'health' } }, /shipshape\.service\.healthCheckPath: must start with '\/' \(got "health"\)/],
    ['a certificate without a domain', { service: { https: { certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc-1' } } }, /shipshape\.service\.https\.domainName: required with a certificate/],
    ['a domain outside its zone', { service: { https: { domainName: 'app.example.org', hostedZoneId: 'Z1ABC', hostedZoneName: 'example.com' } } }, /app\.example\.org is not in the hosted zone example\.com/],
    ['an image that is neither a URI nor a repository and tag', { service: { image: { repo: 'x' } } }, /shipshape\.service\.image: must be \{ "uri"/],
    ['a public image without NAT', { network: { natStrategy: 'none' }, service: { image: { uri: 'docker.io/library/nginx:1' } } }, /shipshape\.service\.image: with natStrategy "none" tasks can pull only from this account's ECR/],
    ['a maximum below the desired count', { service: { desiredCount: 4, maxCount: 3 } }, /shipshape\.service\.maxCount: must be at least desiredCount 4 \(got 3\)/],
  ])('%s is refused', (_what, raw, message) => {
    expect(problemsOf(raw)).toMatch(message);
  });
});
