import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { RotationFailureSignal, RotationRollout } from '../../../constructs/secrets';

function fixture() {
  const stack = new Stack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('nginx') });
  const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition });
  const rotated = new secretsmanager.Secret(stack, 'DbSecret');
  const operator = new secretsmanager.Secret(stack, 'ApiKey');
  return { stack, service, rotated, operator, key: new kms.Key(stack, 'Key') };
}

describe('RotationRollout', () => {
  const { stack, service, rotated, operator, key } = fixture();
  new RotationRollout(stack, 'Rollout', { service, rotatedSecrets: [rotated], operatorSecrets: [operator], encryptionKey: key });
  const template = Template.fromStack(stack);

  test('a successful rotation of the watched secret starts the rollout', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.secretsmanager'],
        'detail-type': ['AWS Service Event via CloudTrail'],
        detail: { eventName: ['RotationSucceeded'], additionalEventData: { SecretId: [{ Ref: Match.stringLikeRegexp('^DbSecret') }] } },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^RolloutStateMachine') } })],
    });
  });

  test("an operator's new value starts the rollout too", () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.secretsmanager'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['secretsmanager.amazonaws.com'], eventName: ['PutSecretValue'], responseElements: { arn: [{ Ref: Match.stringLikeRegexp('^ApiKey') }] } },
      },
    });
  });

  test('the rollout is a forced new deployment of this service (its alarm-gated path; task definition unchanged)', () => {
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as Array<{ Properties: { DefinitionString: unknown } }>;
    const joined = stack.resolve(machine.Properties.DefinitionString) as { 'Fn::Join': [string, unknown[]] };
    const definition = JSON.parse(joined['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('')) as {
      States: Record<string, unknown>;
    };
    expect(definition.States).toEqual({
      Redeploy: expect.objectContaining({
        Type: 'Task',
        End: true,
        Resource: 'arn:TOKEN:states:::aws-sdk:ecs:updateService',
        Parameters: { Cluster: 'TOKEN', Service: 'TOKEN', ForceNewDeployment: true },
      }),
    });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
  });

  test('the state machine may update this one service and nothing else in ECS', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^RolloutStateMachineRole') }],
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'ecs:updateService', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('^Service') } }]) },
    });
  });

  test('its log is encrypted with the given key', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } });
  });

  test('a rollout with no secret to watch is refused', () => {
    const other = fixture();
    expect(() => new RotationRollout(other.stack, 'Rollout', { service: other.service, rotatedSecrets: [], encryptionKey: other.key })).toThrow(
      /give at least one secret/,
    );
  });
});

describe('RotationFailureSignal', () => {
  test('matches failed rotations of the given secrets, and exposes the rule count as a metric', () => {
    const { stack, rotated } = fixture();
    const signal = new RotationFailureSignal(stack, 'Failures', { secrets: [rotated] });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: { eventName: ['RotationFailed'], additionalEventData: { SecretId: [{ Ref: Match.stringLikeRegexp('^DbSecret') }] } } }),
    });
    const metric = signal.metricRotationFailures();
    expect(metric.namespace).toBe('AWS/Events');
    expect(metric.metricName).toBe('TriggeredRules');
    expect(stack.resolve(metric.dimensions)).toEqual({ RuleName: { Ref: expect.stringMatching(/^FailuresRule/) } });
    expect(metric.statistic).toBe('Sum');
  });
});
