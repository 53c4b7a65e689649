import { App, SecretValue, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmTopic, ServiceAlarms, type ServiceAlarmsProps } from '../../../constructs/alarms';
import { ProductionNetwork } from '../../../constructs/network';
import { RedundantService } from '../../../constructs/service';
import { addPolicyPacks, PolicyGateError, synthWithPolicyGate } from '../../../lib/policy';
import { newApp } from '../../helpers/reference-app';

const NOBODY = /ServiceAlarms: no emails, webhooks, secretWebhooks or topic, so the alarms notify a topic nobody is subscribed to/;

function compose(props: Partial<ServiceAlarmsProps>, app: App = new App()) {
  const stack = new Stack(app, 'Shop');
  const network = new ProductionNetwork(stack, 'Network');
  const service = new RedundantService(stack, 'Service', {
    vpc: network.vpc,
    taskSubnets: network.appSubnets,
    loadBalancerSubnets: network.publicSubnets,
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable-alpine'),
  });
  const alarms = new ServiceAlarms(stack, 'Alarms', { service, ...props });
  return { app, stack, alarms };
}

describe('ServiceAlarms that reach nobody', () => {
  test('no emails, webhooks or topic: a warning on the construct naming what to pass', () => {
    const { stack } = compose({});
    Annotations.fromStack(stack).hasWarning('/Shop/Alarms', Match.stringLikeRegexp(NOBODY.source));
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test.each<[string, Partial<ServiceAlarmsProps>]>([
    ['an email', { emails: ['oncall@shop.dev'] }],
    ['a webhook from a secret', { secretWebhooks: [SecretValue.secretsManager('shop/alarm-webhook')] }],
  ])('%s: a subscription and no warning', (_, props) => {
    const { stack } = compose(props);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('alarms notify a topic nobody'));
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Subscription', 1);
  });

  test('a topic of the caller: no warning (its subscriptions are the caller\'s)', () => {
    const app = new App();
    const topicStack = new Stack(app, 'Topics');
    const { stack } = compose({ topic: new sns.Topic(topicStack, 'Pager') }, app);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('alarms notify a topic nobody'));
  });

  test.each<[string, Partial<ServiceAlarmsProps>]>([
    ['emails', { emails: ['oncall@shop.dev'] }],
    ['secretWebhooks', { secretWebhooks: [SecretValue.secretsManager('shop/alarm-webhook')] }],
  ])('%s with a topic of the caller: refused, not silently dropped, naming what to do', (key, props) => {
    const app = new App();
    const topicStack = new Stack(app, 'Topics');
    expect(() => compose({ topic: new sns.Topic(topicStack, 'Pager'), ...props }, app)).toThrow(
      new RegExp(`ServiceAlarms: ${key} subscribe the topic ServiceAlarms creates, and topic is one of yours; subscribe them to your topic yourself`),
    );
  });

  test('the policy gate refuses the synth on the warning until it is acknowledged', () => {
    const { app } = compose({}, newApp());
    addPolicyPacks(app);
    let error: unknown;
    const held = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      synthWithPolicyGate(app);
    } catch (e) {
      error = e;
    }
    held.mockRestore();
    expect(error).toBeInstanceOf(PolicyGateError);
    expect((error as PolicyGateError).findings).toContainEqual(
      expect.objectContaining({ rule: expect.stringMatching(/shipshape:alarms-reach-nobody$/) as unknown, constructPath: 'Shop/Alarms', severity: 'warning' }),
    );
  });
});

describe('webhooks and the template', () => {
  const URL = 'https://hooks.slack.example/services/T000/B000/XXXXXXXXXXXXXXXX';

  test('a webhook from a secret is a dynamic reference: the URL is never in the template', () => {
    const stack = new Stack();
    new AlarmTopic(stack, 'Alarms', { secretWebhooks: [SecretValue.secretsManager('shop/alarm-webhook')] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', Endpoint: '{{resolve:secretsmanager:shop/alarm-webhook:SecretString:::}}' });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/https:\/\//);
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('a plain webhook URL is in the template, and the construct warns and says how to keep it out', () => {
    const stack = new Stack();
    new AlarmTopic(stack, 'Alarms', { webhooks: [URL] });
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).toContain(URL);
    Annotations.fromStack(stack).hasWarning('/Default/Alarms', Match.stringLikeRegexp('written into the template in plain text.*secretWebhooks: \\[SecretValue.secretsManager\\(name\\)\\]'));
  });

  test('recipients counts what the construct subscribed', () => {
    const stack = new Stack();
    expect(new AlarmTopic(stack, 'None').recipients).toBe(0);
    expect(new AlarmTopic(stack, 'Two', { emails: ['a@shop.dev'], secretWebhooks: [SecretValue.secretsManager('hook')] }).recipients).toBe(2);
  });
});
