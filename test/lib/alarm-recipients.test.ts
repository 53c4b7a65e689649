import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ConfigError, isPlaceholderAddress, resolveConfig } from '../../lib/config';
import { buildPlan, formatPlan } from '../../lib/plan';
import { buildReferenceApp } from '../../lib/reference-app';
import { main } from '../../lib/cli';
import { loadReferenceConfig, newApp, synthReferenceApp } from '../helpers/reference-app';
import { testCliContext } from '../helpers/cli';

const ROOT = path.resolve(__dirname, '../..');

function refusal(raw: Record<string, unknown>): ConfigError {
  try {
    buildReferenceApp(new App(), resolveConfig(raw));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected the reference app to refuse the configuration');
}

interface RefusalRule {
  readonly Assertions: ReadonlyArray<{ readonly AssertDescription: string }>;
}

/** What CloudFormation would answer a deploy of each stack with: the assertion of the refusal rule, if any. */
function deployRefusals(app: App): string[] {
  return app.node.children
    .filter((child): child is Stack => child instanceof Stack)
    .map((stack) => (Template.fromStack(stack).toJSON() as { Rules?: Record<string, RefusalRule> }).Rules?.AlarmsReachSomeone)
    .flatMap((rule) => rule?.Assertions.map((a) => a.AssertDescription) ?? []);
}

function refusedDeploy(raw: Record<string, unknown>): string[] {
  const app = new App();
  buildReferenceApp(app, resolveConfig(raw));
  return deployRefusals(app);
}

describe('placeholder addresses', () => {
  test.each(['platform-oncall@example.com', 'a@example.org', 'a@mail.example.net', 'a@shop.example', 'a@ci.test', 'a@x.invalid', 'root@localhost'])('%s receives no mail', (email) => {
    expect(isPlaceholderAddress(email)).toBe(true);
  });
  test.each(['oncall@shop.dev', 'a@example-corp.com', 'a@myexample.com', 'a@testing.io'])('%s may', (email) => {
    expect(isPlaceholderAddress(email)).toBe(false);
  });
});

describe('production refuses to deploy alarms that reach nobody, naming what to set; the synth works and says so', () => {
  const SHIPPED =
    'shipshape.owner: the production profile refuses alarms that reach nobody: platform-oncall@example.com is a placeholder (reserved domains receive no mail); ' +
    'set owner to the address of whoever is on call (it gets the alarms unless alarms.emails names others), or list addresses in alarms.emails, ' +
    'or Secrets Manager secrets holding chat or paging webhook URLs in alarms.webhookSecrets';

  test('the shipped configuration: its owner is a placeholder, so CloudFormation refuses both stacks with the reason', () => {
    const app = newApp({ 'shipshape.alarms.webhookSecrets': [] });
    const { stateful, stateless } = buildReferenceApp(app, loadReferenceConfig(app));
    expect(deployRefusals(app)).toEqual([SHIPPED, SHIPPED]);
    for (const stack of [stateful, stateless]) {
      Annotations.fromStack(stack).hasInfo(`/${stack.stackName}`, Match.stringLikeRegexp('will be refused by CloudFormation: shipshape\\.owner: the production profile refuses'));
    }
  });

  test('no owner and no recipient', () => {
    expect(refusedDeploy({})[0]).toMatch(/^shipshape\.owner: the production profile refuses alarms that reach nobody: no owner, alarms\.emails or alarms\.webhookSecrets is set; set owner to/);
  });

  test('an empty alarms.emails that overrides the owner is named', () => {
    expect(refusedDeploy({ owner: 'oncall@shop.dev', alarms: { emails: [] } })[0]).toMatch(/^shipshape\.owner: .*: alarms\.emails is empty;/);
  });

  test.each([
    ['an owner', { owner: 'oncall@shop.dev' }],
    ['an email beside a placeholder', { alarms: { emails: ['a@example.com', 'pager@shop.dev'] } }],
    ['a webhook secret', { alarms: { webhookSecrets: ['shop/alarm-webhook'] } }],
  ])('%s is enough: nothing refuses the deploy', (_, raw) => {
    expect(refusedDeploy(raw)).toEqual([]);
  });

  test('a webhook URL in the configuration is refused in every profile, with how to keep it out of the template', () => {
    for (const profile of ['production', 'budget']) {
      const problems = refusal({ profile, owner: 'oncall@shop.dev', alarms: { webhooks: ['https://hooks.slack.com/services/T0/B0/x'] } }).problems;
      expect(problems).toEqual([expect.stringMatching(/^shipshape\.alarms\.webhooks: a webhook URL usually carries a token.*aws secretsmanager create-secret .* list the secret names in alarms\.webhookSecrets instead$/) as unknown]);
    }
  });

  test('a secret name that is not one is refused by the validation', () => {
    expect(() => resolveConfig({ alarms: { webhookSecrets: ['https://hooks.slack.com/x'] } })).toThrow(/shipshape\.alarms\.webhookSecrets\.0: must be the name or ARN of a Secrets Manager secret/);
  });

  test('shipshape plan on the shipped configuration: exit 0, "alarms reach: nobody" with what to set', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      await expect(main(['plan'], testCliContext('2026-12-02T05:00:00Z', out), (l) => err.push(l))).resolves.toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(out).toContainEqual(expect.stringMatching(/^ {2}Alarms reach: nobody \(platform-oncall@example\.com \(a placeholder: receives no mail\)\): \d+ alarms notify no one; set owner/) as unknown);
  }, 180_000);
});

describe('the reference app in budget with nobody to reach', () => {
  const app = synthReferenceApp({ 'shipshape.profile': 'budget', 'shipshape.alarms.webhookSecrets': [] });

  test('synthesizes through the policy gate, and says at synth that the alarms reach nobody', () => {
    Annotations.fromStack(app.stateless).hasInfo(`/${app.stateless.stackName}`, Match.stringLikeRegexp('^WARNING: The alarms reach nobody: platform-oncall@example.com is a placeholder'));
    Annotations.fromStack(app.stateless).hasNoWarning('*', Match.stringLikeRegexp('alarms notify a topic nobody'));
  });

  test('shipshape plan shows "alarms reach: nobody"', () => {
    const plan = buildPlan({ stacks: [{ name: app.stateless.stackName, template: app.statelessTemplate.toJSON() as never }], openFindings: [], region: 'us-east-1', profile: 'budget' });
    expect(plan.stacks[0].alarmsReach).toEqual({ alarms: expect.any(Number) as unknown, recipients: ['platform-oncall@example.com (a placeholder: receives no mail)'], nobody: true });
    expect(formatPlan(plan)).toContainEqual(expect.stringMatching(/^ {2}Alarms reach: nobody \(platform-oncall@example\.com \(a placeholder: receives no mail\)\): \d+ alarms notify no one; set owner/) as unknown);
  });
});

describe('the reference app with a webhook secret', () => {
  const app = synthReferenceApp({ 'shipshape.alarms.webhookSecrets': ['shop/alarm-webhook'] });
  const template = app.statelessTemplate.toJSON() as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>; Outputs: Record<string, { Value: unknown; Description?: string }> };

  test('the subscription holds a Secrets Manager dynamic reference, and no https URL is in the template but the one it must have', () => {
    app.statelessTemplate.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', Endpoint: '{{resolve:secretsmanager:shop/alarm-webhook:SecretString:::}}' });
    const endpoints = Object.values(template.Resources).filter((r) => r.Type === 'AWS::SNS::Subscription').map((r) => r.Properties?.Endpoint);
    expect(endpoints.filter((e) => typeof e === 'string' && e.startsWith('https://'))).toEqual([]);
  });

  test('plan lists who the alarms reach', () => {
    const plan = buildPlan({ stacks: [{ name: 'web', template: app.statelessTemplate.toJSON() as never }], openFindings: [], region: 'us-east-1' });
    expect(plan.stacks[0].alarmsReach?.nobody).toBe(false);
    expect(formatPlan(plan)).toContain('  Alarms reach: platform-oncall@example.com (a placeholder: receives no mail), webhook from secret shop/alarm-webhook');
  });

  test("an output gives the load balancer's DNS name, for a CNAME to your own domain", () => {
    const lb = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer')?.[0];
    expect(template.Outputs.LoadBalancerDnsName).toEqual({ Value: { 'Fn::GetAtt': [lb, 'DNSName'] }, Description: expect.stringMatching(/CNAME/) as unknown });
    expect(template.Outputs.ServiceLogGroupName).toBeDefined();
  });
});
