import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { ServiceAlarms } from '../../constructs/alarms';
import { ResilientDatabase } from '../../constructs/database';
import { ProductionNetwork } from '../../constructs/network';
import { RestoreDrill } from '../../constructs/restore-drill';
import { RotationFailureSignal } from '../../constructs/secrets';
import { RedundantService } from '../../constructs/service';
import { Template } from 'aws-cdk-lib/assertions';
import { composeMonitoredService } from '../constructs/observability/compose';
import { DeployedWithWorkspaces } from '../constructs/observability/deployed-workspace';
import { synthReferenceApp } from '../helpers/reference-app';
import { ACCOUNT, type CfnTemplate, type DeployedTemplate, type Json, PARTITION, REGION } from './deployed-template';

/**
 * Publishers contract: for every SNS topic of a template, each thing that publishes to it (an
 * alarm's actions, an EventBridge rule's target, a role granted sns:Publish) is found in the
 * template itself, and the topic policy and the policy of the key that encrypts the topic are
 * evaluated for that publisher's real request by @cloud-copilot/iam-simulate.
 */

interface Publisher {
  readonly what: string;
  readonly principal: string;
  /** The request context the service sends (aws:SourceAccount, aws:SourceArn) on the topic. */
  readonly topicContext: Record<string, string>;
  /** ...and on the key (EventBridge's KMS calls carry no source keys). */
  readonly keyContext: Record<string, string>;
  /** The principal's own policies (roles); services have none. */
  readonly identityPolicies: Array<{ name: string; policy: unknown }>;
}

const isRefTo = (value: Json | undefined, id: string) => JSON.stringify(value) === JSON.stringify({ Ref: id });

function publishersOf(deployed: DeployedTemplate, topicId: string): Publisher[] {
  const found: Publisher[] = [];
  const tls = { 'aws:SecureTransport': 'true' };
  for (const [id, r] of Object.entries(deployed.template.Resources)) {
    const p = r.Properties ?? {};
    if ((r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm') && [...((p.AlarmActions as Json[]) ?? []), ...((p.OKActions as Json[]) ?? [])].some((a) => isRefTo(a, topicId))) {
      const name = p.AlarmName === undefined ? `${deployed.stackName}-${id}` : deployed.resolveString(p.AlarmName);
      const source = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:${PARTITION}:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}` };
      found.push({ what: `alarm ${id}`, principal: 'cloudwatch.amazonaws.com', topicContext: { ...source, ...tls }, keyContext: source, identityPolicies: [] });
    }
    if (r.Type === 'AWS::Events::Rule') {
      for (const target of (p.Targets as Array<{ Arn: Json; RoleArn?: Json }>) ?? []) {
        if (!isRefTo(target.Arn, topicId)) continue;
        if (target.RoleArn) throw new Error(`rule ${id} publishes with a role: EventBridge documents resource policies for SNS targets`);
        const source = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:${PARTITION}:events:${REGION}:${ACCOUNT}:rule/${deployed.stackName}-${id}` };
        found.push({ what: `rule ${id}`, principal: 'events.amazonaws.com', topicContext: { ...source, ...tls }, keyContext: {}, identityPolicies: [] });
      }
    }
    // A Prometheus workspace's alert manager names the topic in its definition, and publishes as the
    // workspace (aws:SourceArn); its key use carries no source keys, as the AMP guide's key statement shows.
    if (r.Type === 'AWS::APS::Workspace' && JSON.stringify(p.AlertManagerDefinition ?? null).includes(`{"Ref":"${topicId}"}`)) {
      const source = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': deployed.getAtt(id, 'Arn') };
      found.push({ what: `alert manager ${id}`, principal: 'aps.amazonaws.com', topicContext: { ...source, ...tls }, keyContext: {}, identityPolicies: [] });
    }
    if (r.Type === 'AWS::IAM::Policy' && JSON.stringify(p.PolicyDocument).includes('"sns:Publish"') && JSON.stringify(p.PolicyDocument).includes(`{"Ref":"${topicId}"}`)) {
      for (const role of (p.Roles as Json[]) ?? []) {
        const roleId = (role as { Ref: string }).Ref;
        const policies = Object.entries(deployed.template.Resources)
          .filter(([, x]) => x.Type === 'AWS::IAM::Policy' && ((x.Properties?.Roles as Json[]) ?? []).some((y) => isRefTo(y, roleId)))
          .map(([name, x]) => ({ name, policy: deployed.resolve(x.Properties?.PolicyDocument) }));
        found.push({ what: `role ${roleId}`, principal: `arn:${PARTITION}:sts::${ACCOUNT}:assumed-role/${deployed.nameOf(roleId)}/session`, topicContext: tls, keyContext: {}, identityPolicies: policies });
      }
    }
  }
  return found;
}

async function allowed(publisher: Publisher, action: string, resource: string, resourcePolicy: unknown, context: Record<string, string>): Promise<string> {
  const result = await runSimulation(
    {
      request: { principal: publisher.principal, action, resource: { resource, accountId: ACCOUNT }, contextVariables: context },
      identityPolicies: publisher.identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType === 'error') throw new Error(`${action} by ${publisher.what}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/** Every publisher of every topic, and what the topic and key policies answer it. */
async function refusals(template: CfnTemplate, stackName: string): Promise<{ publishers: string[]; refused: string[] }> {
  const deployed = new DeployedWithWorkspaces(template, stackName);
  const publishers: string[] = [];
  const refused: string[] = [];
  for (const [topicId, topic] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::SNS::Topic')) {
    const topicArn = deployed.ref(topicId);
    const topicPolicy = Object.values(template.Resources).find((r) => r.Type === 'AWS::SNS::TopicPolicy' && ((r.Properties?.Topics as Json[]) ?? []).some((t) => isRefTo(t, topicId)));
    const keyRef = topic.Properties?.KmsMasterKeyId as { 'Fn::GetAtt'?: [string, string] } | undefined;
    const keyId = keyRef?.['Fn::GetAtt']?.[0];
    const key = keyId ? template.Resources[keyId] : undefined;
    for (const publisher of publishersOf(deployed, topicId)) {
      publishers.push(`${publisher.what} → ${topicId}`);
      const onTopic = await allowed(publisher, 'sns:Publish', topicArn, topicPolicy && deployed.resolve(topicPolicy.Properties?.PolicyDocument), publisher.topicContext);
      if (onTopic !== 'Allowed') refused.push(`${publisher.what} may not publish to ${topicId}: ${onTopic}`);
      if (!key) continue;
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
        const keyArn = `arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:key/${keyId}`;
        const onKey = await allowed(publisher, action, keyArn, deployed.resolve(key.Properties?.KeyPolicy), { ...publisher.keyContext, 'kms:CallerAccount': ACCOUNT });
        if (onKey !== 'Allowed') refused.push(`${publisher.what} may not ${action} with ${keyId} (the key of ${topicId}): ${onKey}`);
      }
    }
  }
  return { publishers, refused };
}

describe('publishers contract: every publisher of every topic is admitted by the topic policy and the key policy', () => {
  test('the reference app: alarms, the composite, deployment and rotation events on the alarm topic; the drill on its topic', async () => {
    const app = synthReferenceApp();
    const stateless = await refusals(app.statelessTemplate.toJSON() as CfnTemplate, app.stateless.stackName);
    const stateful = await refusals(app.statefulTemplate.toJSON() as CfnTemplate, app.stateful.stackName);
    expect([...stateless.refused, ...stateful.refused]).toEqual([]);
    const all = [...stateless.publishers, ...stateful.publishers].join('\n');
    for (const kind of ['alarm Alarmsalb5xxrate', 'alarm AlarmsServiceUnhealthy', 'rule AlarmsDeploymentFailed', 'rule RotationFailuresRule', 'role RestoreDrillSteps']) expect(all).toContain(kind);
  });

  test('a composed stack: the drill\'s own alarms on its own topic, ServiceAlarms on a topic of the caller\'s', async () => {
    const stack = new Stack(undefined, 'Composed');
    const network = new ProductionNetwork(stack, 'Net');
    const database = new ResilientDatabase(stack, 'Db', { vpc: network.vpc, vpcSubnets: network.dataSubnets, functionSubnets: network.appSubnets });
    const drill = new RestoreDrill(stack, 'Drill', { database });
    const service = new RedundantService(stack, 'Api', {
      vpc: network.vpc,
      taskSubnets: network.appSubnets,
      loadBalancerSubnets: network.publicSubnets,
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable-alpine'),
    });
    const pager = new sns.Topic(stack, 'Pager', { enforceSSL: true });
    const rotationFailures = new RotationFailureSignal(stack, 'Rotation', { secrets: [database.masterSecret] });
    new ServiceAlarms(stack, 'Alarms', { service, database, drill, rotationFailures, topic: pager });
    const { publishers, refused } = await refusals(Template.fromStack(stack).toJSON() as CfnTemplate, stack.stackName);
    expect(refused).toEqual([]);
    expect(publishers.join('\n')).toMatch(/alarm DrillFailedAlarm.* → DrillTopic/);
    expect(publishers.join('\n')).toMatch(/rule Rotation.* → Pager/);
  });

  test('Prometheus: the alert manager of the workspace publishes to the topic it routes to, and another workspace may not', async () => {
    const { stack } = composeMonitoredService();
    const template = Template.fromStack(stack).toJSON() as CfnTemplate;
    const { publishers, refused } = await refusals(template, stack.stackName);
    expect(refused).toEqual([]);
    expect(publishers.join('\n')).toMatch(/alert manager PrometheusWorkspace\w* → AlarmsNotificationsTopic/);

    const deployed = new DeployedWithWorkspaces(template, stack.stackName);
    const [topicId] = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::SNS::Topic') ?? [];
    const topicPolicy = Object.values(template.Resources).find((r) => r.Type === 'AWS::SNS::TopicPolicy');
    const stranger = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:${PARTITION}:aps:${REGION}:${ACCOUNT}:workspace/ws-another`, 'aws:SecureTransport': 'true' };
    const other: Publisher = { what: 'another workspace', principal: 'aps.amazonaws.com', topicContext: stranger, keyContext: {}, identityPolicies: [] };
    expect(await allowed(other, 'sns:Publish', deployed.ref(topicId as string), deployed.resolve(topicPolicy?.Properties?.PolicyDocument), stranger)).not.toBe('Allowed');
  });
});
