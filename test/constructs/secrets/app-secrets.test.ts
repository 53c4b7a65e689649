import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AppSecrets, AppSecretSource } from '../../../constructs/secrets';

function build() {
  const stack = new Stack();
  const secrets = new AppSecrets(stack, 'AppSecrets', {
    secrets: [{ name: 'SESSION_KEY' }, { name: 'PAYMENT_API_KEY', source: AppSecretSource.OPERATOR }],
  });
  return { stack, secrets };
}

test('each secret is generated (never a guessable placeholder), CMK-encrypted, kept with the stack, tagged with its source', () => {
  const { stack } = build();
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::SecretsManager::Secret', 2);
  template.allResources('AWS::SecretsManager::Secret', {
    DeletionPolicy: 'RetainExceptOnCreate',
    Properties: Match.objectLike({
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AppSecretsKey'), 'Arn'] },
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true },
    }),
  });
  template.hasResourceProperties('AWS::SecretsManager::Secret', {
    Description: Match.stringLikeRegexp('^PAYMENT_API_KEY: set by an operator after deploy'),
    Tags: Match.arrayWith([{ Key: 'shipshape:secret-source', Value: 'operator' }]),
  });
});

test('injection grants the execution role GetSecretValue on these secrets and Decrypt through Secrets Manager only', () => {
  const { stack, secrets } = build();
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('nginx'), secrets: secrets.containerSecrets() });
  const template = Template.fromStack(stack);

  template.hasResourceProperties('AWS::ECS::TaskDefinition', {
    ContainerDefinitions: [Match.objectLike({ Secrets: [
      { Name: 'SESSION_KEY', ValueFrom: { Ref: Match.stringLikeRegexp('^AppSecretsSESSIONKEY') } },
      { Name: 'PAYMENT_API_KEY', ValueFrom: { Ref: Match.stringLikeRegexp('^AppSecretsPAYMENTAPIKEY') } },
    ] })],
  });
  template.hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: Match.stringLikeRegexp('^TaskExecutionRole') }],
    PolicyDocument: {
      Statement: [
        { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('^AppSecretsSESSIONKEY') } },
        {
          Action: 'kms:Decrypt',
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AppSecretsKey'), 'Arn'] },
          Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
        },
        { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('^AppSecretsPAYMENTAPIKEY') } },
      ],
    },
  });
  // The task role (the application) gets nothing unless granted.
  template.resourcePropertiesCountIs('AWS::IAM::Policy', { Roles: [{ Ref: Match.stringLikeRegexp('^TaskTaskRole') }] }, 0);
  // Nothing was added to the key policy for the role (it would tie the key's stack to the service's).
  expect(JSON.stringify(template.findResources('AWS::KMS::Key'))).not.toMatch(/TaskExecutionRole/);
});

test('grantRead lets a task role read every value at run time', () => {
  const { stack, secrets } = build();
  const role = new iam.Role(stack, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  secrets.grantRead(role);
  Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: Match.stringLikeRegexp('^TaskRole') }],
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: { Ref: Match.stringLikeRegexp('^AppSecretsSESSIONKEY') } }),
        Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: { Ref: Match.stringLikeRegexp('^AppSecretsPAYMENTAPIKEY') } }),
      ]),
    },
  });
});

test.each([
  [[{ name: 'api-key' }], /"api-key" must be upper case letters, digits and _/],
  [[{ name: 'API_KEY' }, { name: 'API_KEY' }], /API_KEY declared more than once/],
  [[], /declare at least one secret/],
])('bad declarations are refused: %j', (definitions, message) => {
  expect(() => new AppSecrets(new Stack(), 'AppSecrets', { secrets: definitions })).toThrow(message);
});
