import { Match } from 'aws-cdk-lib/assertions';
import { resolveConfig } from '../../lib/config';
import { synthReferenceApp } from '../helpers/reference-app';

/*
 * observability.prometheus: the reference app with Amazon Managed Service for Prometheus beside its
 * CloudWatch alarms, under the policy gate (synthReferenceApp throws on any unacknowledged finding).
 */

describe('GIVEN observability.prometheus WHEN the reference app synthesizes (policy packs on)', () => {
  const off = synthReferenceApp();
  const on = synthReferenceApp({ 'shipshape.observability': { prometheus: { scrapeIntervalSeconds: 30 } } });

  test('THEN the stateless stack has a workspace, its rules, the collector beside the app, and the query endpoint as an output', () => {
    on.statelessTemplate.resourceCountIs('AWS::APS::Workspace', 1);
    on.statelessTemplate.resourceCountIs('AWS::APS::RuleGroupsNamespace', 1);
    on.statelessTemplate.hasOutput('PrometheusQueryEndpoint', {});
    const definitions = Object.values(on.statelessTemplate.findResources('AWS::ECS::TaskDefinition')).flatMap(
      (d) => (d as { Properties: { ContainerDefinitions: Array<{ Name: string; Essential?: boolean; Environment?: Array<{ Name: string; Value: unknown }> }> } }).Properties.ContainerDefinitions,
    );
    const collector = definitions.find((c) => c.Environment?.some((e) => e.Name === 'AOT_CONFIG_CONTENT'));
    expect(collector?.Essential).toBe(false);
    const config = JSON.stringify(collector?.Environment?.find((e) => e.Name === 'AOT_CONFIG_CONTENT')?.Value);
    // The reference application's port and metrics path, at the configured interval.
    expect(config).toMatch(/127\.0\.0\.1:8080/);
    expect(config).toMatch(/\/metrics/);
    expect(config).toMatch(/scrape_interval: \W*30s/);
  });

  test('THEN the workspace is encrypted with the service\'s key: Prometheus adds no key of its own', () => {
    const keys = (t: typeof on.statelessTemplate) => Object.keys(t.findResources('AWS::KMS::Key')).length;
    expect(keys(on.statelessTemplate)).toBe(keys(off.statelessTemplate));
    on.statelessTemplate.hasResourceProperties('AWS::APS::Workspace', { KmsKeyArn: Match.anyValue() });
  });

  test('THEN the alert manager sends to the alarm topic, whose policy admits this workspace', () => {
    on.statelessTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'aps.amazonaws.com' } })]) },
    });
  });

  test('THEN without it there is no workspace: CloudWatch alarms and the dashboard are the default', () => {
    off.statelessTemplate.resourceCountIs('AWS::APS::Workspace', 0);
    expect(Object.keys(off.statelessTemplate.toJSON().Outputs as object)).not.toContain('PrometheusQueryEndpoint');
  });
});

describe('GIVEN the prometheus setting WHEN the configuration is read', () => {
  test('THEN true takes a 15 s scrape of /metrics and false or nothing is off', () => {
    expect(resolveConfig({ observability: { prometheus: true } }).observability.prometheus).toEqual({ scrapeIntervalSeconds: 15, metricsPath: '/metrics' });
    expect(resolveConfig({ observability: { prometheus: false } }).observability.prometheus).toBeUndefined();
    expect(resolveConfig({}).observability.prometheus).toBeUndefined();
  });

  test('THEN a bad interval or path is refused, naming the key and the allowed values', () => {
    expect(() => resolveConfig({ observability: { prometheus: { scrapeIntervalSeconds: 1 } } })).toThrow(/observability\.prometheus/);
    expect(() => resolveConfig({ observability: { prometheus: { metricsPath: 'metrics' } } })).toThrow(/observability\.prometheus/);
  });
});
