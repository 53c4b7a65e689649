import { App, Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { load } from './yaml-parser';
import { ADOT_COLLECTOR_IMAGE, COLLECTOR_CONTAINER_NAME, prometheusRules, SCRAPE_JOB } from '../../../constructs/observability';
import { ACCOUNT, type CfnTemplate, type Json, PARTITION, REGION } from '../../contracts/deployed-template';
import { composeMonitoredService } from './compose';
import { DeployedWithWorkspaces } from './deployed-workspace';

type Doc = Record<string, unknown>;

function synth(...args: Parameters<typeof composeMonitoredService>) {
  const composed = composeMonitoredService(...args);
  const template = Template.fromStack(composed.stack);
  const deployed = new DeployedWithWorkspaces(template.toJSON() as CfnTemplate, 'Shop');
  const [workspaceId] = Object.keys(template.findResources('AWS::APS::Workspace'));
  const [taskId] = Object.keys(template.findResources('AWS::ECS::TaskDefinition'));
  const containers = deployed.resource(taskId).Properties?.ContainerDefinitions as Array<Record<string, Json>>;
  const container = (name: string) => containers.find((c) => c.Name === name) as Record<string, Json>;
  const collector = container(COLLECTOR_CONTAINER_NAME);
  const env = (collector.Environment as Array<{ Name: string; Value: Json }>).find((e) => e.Name === 'AOT_CONFIG_CONTENT');
  const collectorConfig = load(deployed.resolveString(env?.Value)) as Doc;
  const workspace = deployed.resource(workspaceId).Properties as Record<string, Json>;
  // The definition is YAML whose alertmanager_config is itself a YAML document.
  const definition = load(deployed.resolveString(workspace.AlertManagerDefinition)) as { alertmanager_config: string };
  const alertManager = load(definition.alertmanager_config) as Doc;
  return { ...composed, template, deployed, workspaceId, taskId, container, collector, collectorConfig, alertManager };
}

const get = (doc: unknown, path: string): unknown => path.split('.').reduce<unknown>((value, key) => (value as Doc | undefined)?.[key], doc);

describe('PrometheusMonitoring: the workspace', () => {
  test('encrypted with a rotating customer-managed key, logging rules and alerts to an encrypted log group, kept when the stack goes', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::APS::Workspace', 1);
    template.hasResource('AWS::APS::Workspace', {
      Properties: {
        KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PrometheusKey'), 'Arn'] },
        LoggingConfiguration: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PrometheusLogs'), 'Arn'] } },
      },
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Key', { Description: 'shipshape Prometheus metrics', EnableKeyRotation: true });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 365 });
  });
});

describe('PrometheusMonitoring: the collector sidecar', () => {
  test('the pinned ADOT image, not essential, read-only, unprivileged, restarted in place, logging under its own prefix in the service log group', () => {
    const { collector, template } = synth();
    expect(collector).toMatchObject({
      Image: ADOT_COLLECTOR_IMAGE,
      Essential: false,
      ReadonlyRootFilesystem: true,
      Privileged: false,
      LinuxParameters: { Capabilities: { Drop: ['ALL'] } },
      RestartPolicy: { Enabled: true },
      HealthCheck: { Command: ['CMD', '/healthcheck'] },
      LogConfiguration: { LogDriver: 'awslogs', Options: { 'awslogs-stream-prefix': COLLECTOR_CONTAINER_NAME, mode: 'non-blocking' } },
    });
    expect(ADOT_COLLECTOR_IMAGE).toMatch(/^public\.ecr\.aws\/aws-observability\/aws-otel-collector:v\d+\.\d+\.\d+$/);
    const [logGroupId] = Object.keys(template.findResources('AWS::Logs::LogGroup')).filter((id) => id.startsWith('ServiceLogs'));
    expect((collector.LogConfiguration as Doc).Options).toMatchObject({ 'awslogs-group': { Ref: logGroupId } });
  });

  test('its cpu and memory come out of the task: the application reserves the rest and keeps the whole task as its hard limit', () => {
    const { collector, container, deployed, taskId } = synth({ collectorCpu: 128, collectorMemoryMiB: 256 }, { cpu: 1024, memoryLimitMiB: 2048 });
    const task = deployed.resource(taskId).Properties as Record<string, Json>;
    expect(task).toMatchObject({ Cpu: '1024', Memory: '2048' });
    expect(collector).toMatchObject({ Cpu: 128, Memory: 256, MemoryReservation: 256 });
    expect(container('app')).toMatchObject({ Memory: 2048, MemoryReservation: 2048 - 256 });
  });

  test('scrapes the application on 127.0.0.1 (its own task) at its container port and metrics path, every scrape interval', () => {
    const { collectorConfig } = synth({ metricsPath: '/internal/metrics', scrapeInterval: Duration.seconds(30) }, { containerPort: 3000 });
    const [job] = get(collectorConfig, 'receivers.prometheus.config.scrape_configs') as Doc[];
    expect(job).toEqual({ job_name: SCRAPE_JOB, metrics_path: '/internal/metrics', static_configs: [{ targets: ['127.0.0.1:3000'] }] });
    expect(get(collectorConfig, 'receivers.prometheus.config.global')).toEqual({ scrape_interval: '30s', scrape_timeout: '10s' });
  });

  test('defaults: /metrics on port 8080 every 15 s', () => {
    const { collectorConfig } = synth();
    const [job] = get(collectorConfig, 'receivers.prometheus.config.scrape_configs') as Doc[];
    expect(job).toMatchObject({ metrics_path: '/metrics', static_configs: [{ targets: ['127.0.0.1:8080'] }] });
    expect(get(collectorConfig, 'receivers.prometheus.config.global.scrape_interval')).toBe('15s');
  });

  test('remote-writes to this workspace\'s endpoint, signed with SigV4 for aps in the stack\'s region, each task\'s series named by its task id', () => {
    const { collectorConfig, deployed, workspaceId } = synth();
    expect(get(collectorConfig, 'exporters.prometheusremotewrite')).toEqual({
      endpoint: `${deployed.getAtt(workspaceId, 'PrometheusEndpoint')}remote_write`,
      auth: { authenticator: 'sigv4auth' },
    });
    expect(get(collectorConfig, 'exporters.prometheusremotewrite.endpoint')).toMatch(/^https:\/\/aps-workspaces\.eu-west-1\.amazonaws\.com\/workspaces\/ws-[^/]+\/api\/v1\/remote_write$/);
    expect(get(collectorConfig, 'extensions.sigv4auth')).toEqual({ region: REGION, service: 'aps' });
    expect(get(collectorConfig, 'service.pipelines.metrics')).toEqual({
      receivers: ['prometheus'],
      processors: ['memory_limiter', 'resourcedetection', 'resource'],
      exporters: ['prometheusremotewrite'],
    });
    expect(get(collectorConfig, 'processors.resource.attributes')).toEqual([{ key: 'service.instance.id', from_attribute: 'aws.ecs.task.id', action: 'upsert' }]);
    expect(get(collectorConfig, 'service.extensions')).toEqual(['health_check', 'sigv4auth']);
  });
});

describe('PrometheusMonitoring: the task role', () => {
  async function decide(deployed: DeployedWithWorkspaces, taskId: string, action: string, resource: string): Promise<string> {
    const roleId = (deployed.resource(taskId).Properties?.TaskRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const identityPolicies = Object.entries(deployed.template.Resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles).includes(`"${roleId}"`))
      .map(([name, r]) => ({ name, policy: deployed.resolve(r.Properties?.PolicyDocument) }));
    const result = await runSimulation(
      {
        request: { principal: `arn:${PARTITION}:sts::${ACCOUNT}:assumed-role/${deployed.nameOf(roleId)}/task`, action, resource: { resource, accountId: ACCOUNT }, contextVariables: {} },
        identityPolicies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      { simulationMode: 'Strict' },
    );
    if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  }

  test('may remote-write to this workspace and no other, and nothing else there', async () => {
    const { deployed, taskId, workspaceId } = synth();
    const workspaceArn = deployed.getAtt(workspaceId, 'Arn');
    expect(await decide(deployed, taskId, 'aps:RemoteWrite', workspaceArn)).toBe('Allowed');
    expect(await decide(deployed, taskId, 'aps:RemoteWrite', `arn:${PARTITION}:aps:${REGION}:${ACCOUNT}:workspace/ws-other`)).not.toBe('Allowed');
    expect(await decide(deployed, taskId, 'aps:QueryMetrics', workspaceArn)).not.toBe('Allowed');
  });
});

describe('PrometheusMonitoring: rules and alerts', () => {
  test('one rule groups namespace on the workspace holding the recording and alerting rules', () => {
    const { template, deployed, workspaceId } = synth();
    template.resourceCountIs('AWS::APS::RuleGroupsNamespace', 1);
    const [rules] = Object.values(template.findResources('AWS::APS::RuleGroupsNamespace')) as Array<{ Properties: Record<string, Json> }>;
    expect(deployed.resolve(rules.Properties.Workspace)).toBe(deployed.getAtt(workspaceId, 'Arn'));
    const data = load(rules.Properties.Data as string) as { groups: Array<{ rules: Array<{ record?: string; alert?: string }> }> };
    expect(data.groups.flatMap((g) => g.rules.map((r) => r.record ?? r.alert))).toEqual([
      'job:http_requests:rate5m',
      'job_route:http_requests:rate5m',
      'job:http_requests_5xx:ratio_rate5m',
      'job_route:http_request_duration_seconds:p50_5m',
      'job_route:http_request_duration_seconds:p95_5m',
      'job_route:http_request_duration_seconds:p99_5m',
      'instance:db_pool_utilization:ratio',
      'ShipshapeHighErrorRate',
      'ShipshapeHighLatencyP99',
      'ShipshapeDbPoolSaturated',
      'ShipshapeTargetDown',
      'ShipshapeMetricsAbsent',
    ]);
  });

  test('thresholds reach the alert expressions', () => {
    const { template } = synth({ errorRatePercent: 2, p99Latency: Duration.millis(750), poolWaitingFor: Duration.minutes(3), targetDownFor: Duration.minutes(1) });
    const [rules] = Object.values(template.findResources('AWS::APS::RuleGroupsNamespace')) as Array<{ Properties: { Data: string } }>;
    const alerts = Object.fromEntries(
      (load(rules.Properties.Data) as { groups: Array<{ rules: Array<{ alert?: string; expr: string; for?: string }> }> }).groups
        .flatMap((g) => g.rules)
        .filter((r) => r.alert)
        .map((r) => [r.alert, `${r.expr} for ${r.for}`]),
    );
    expect(alerts).toEqual({
      ShipshapeHighErrorRate: 'job:http_requests_5xx:ratio_rate5m > 0.02 for 300s',
      ShipshapeHighLatencyP99: 'job_route:http_request_duration_seconds:p99_5m > 0.75 for 600s',
      ShipshapeDbPoolSaturated: 'max by (job, instance) (db_pool_connections{state="waiting"}) > 0 for 180s',
      ShipshapeTargetDown: 'up == 0 for 60s',
      ShipshapeMetricsAbsent: 'absent(up) for 600s',
    });
  });

  test('the rule file in the template is the rule object, as YAML', () => {
    const { template } = synth();
    const [rules] = Object.values(template.findResources('AWS::APS::RuleGroupsNamespace')) as Array<{ Properties: { Data: string } }>;
    expect(load(rules.Properties.Data)).toEqual(
      prometheusRules({ errorRatePercent: 5, p99Latency: Duration.seconds(1), poolWaitingFor: Duration.minutes(5), targetDownFor: Duration.minutes(2) }),
    );
  });

  test('the alert manager routes every alert to the topic, with SigV4 in the stack\'s region', () => {
    const { alertManager, deployed, template } = synth();
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    expect(get(alertManager, 'route')).toMatchObject({ receiver: 'sns' });
    expect(get(alertManager, 'route.routes')).toBeUndefined();
    expect(get(alertManager, 'receivers')).toEqual([
      {
        name: 'sns',
        sns_configs: [{ topic_arn: deployed.ref(topicId), sigv4: { region: REGION }, subject: expect.any(String) as unknown, attributes: { source: 'shipshape-prometheus' } }],
      },
    ]);
    expect(get(alertManager, 'receivers.0.sns_configs.0.topic_arn')).toMatch(/^arn:aws:sns:eu-west-1:111122223333:/);
  });
});

describe('PrometheusMonitoring with an imported topic', () => {
  test('warns that the topic\'s owner must admit the workspace, since its policy cannot be changed here', () => {
    const { stack } = composeMonitoredService({}, {}, new App(), (scope) => sns.Topic.fromTopicArn(scope, 'Pager', 'arn:aws:sns:eu-west-1:111122223333:pager'));
    Annotations.fromStack(stack).hasWarning('/Shop/Prometheus', Match.stringLikeRegexp('topic is imported, so its policy cannot admit this workspace'));
  });

  test('a topic of this stack gets no such warning', () => {
    const { stack } = composeMonitoredService();
    Annotations.fromStack(stack).hasNoWarning('/Shop/Prometheus', Match.anyValue());
  });
});

describe('PrometheusMonitoring: bad input is refused at synth, naming the prop', () => {
  test.each<[string, Parameters<typeof composeMonitoredService>[0], RegExp]>([
    ['a relative metrics path', { metricsPath: 'metrics' }, /PrometheusMonitoring: metricsPath must be an absolute path such as '\/metrics'.*got 'metrics'/],
    ['a fractional scrape interval', { scrapeInterval: Duration.millis(1500) }, /PrometheusMonitoring: scrapeInterval must be a whole number of seconds between 1 and 300 \(got 1.5 s\)/],
    ['a scrape interval over 5 minutes', { scrapeInterval: Duration.minutes(6) }, /scrapeInterval must be a whole number of seconds between 1 and 300 \(got 360 s\)/],
    ['an error rate of 0', { errorRatePercent: 0 }, /PrometheusMonitoring: errorRatePercent must be above 0 and below 100 \(got 0\)/],
    ['a collector taking most of the memory', { collectorMemoryMiB: 600 }, /PrometheusMonitoring: collectorMemoryMiB must be a whole number of MiB from 64 to half the task's 1024 MiB \(got 600\); give the service more memoryLimitMiB/],
    ['a collector taking most of the cpu', { collectorCpu: 384 }, /PrometheusMonitoring: collectorCpu must be a whole number of CPU units from 0 to half the task's 512 \(got 384\)/],
  ])('%s', (_, props, error) => {
    expect(() => composeMonitoredService(props)).toThrow(error);
  });
});
