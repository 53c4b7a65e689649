import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DatabaseEngine, ResilientDatabase } from '../../../constructs/database';
import { ProductionNetwork } from '../../../constructs/network';
import { RestoreDrill, type RestoreDrillProps } from '../../../constructs/restore-drill';

function build(engine: DatabaseEngine, props: Partial<RestoreDrillProps> = {}) {
  const stack = new Stack();
  const network = new ProductionNetwork(stack, 'Network');
  const database = new ResilientDatabase(stack, 'Database', { vpc: network.vpc, vpcSubnets: network.dataSubnets, functionSubnets: network.appSubnets, engine });
  new RestoreDrill(stack, 'Drill', { database, source: { mode: 'backup-vault' }, ...props });
  return { stack, template: Template.fromStack(stack) };
}

type Statement = Record<string, unknown>;

function statementsOf(template: Template, rolePrefix: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${rolePrefix}`) }] } });
  return Object.values(policies).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}

const isKms = (s: Statement) => JSON.stringify(s.Action).includes('kms:');
const DATABASE_KEY = { 'Fn::GetAtt': [expect.stringMatching(/^DatabaseKey[0-9A-F]+$/), 'Arn'] };

describe.each([
  ['Aurora', DatabaseEngine.AURORA_SERVERLESS_V2],
  ['RDS', DatabaseEngine.RDS_MULTI_AZ],
])("%s: the database key encrypts the copy's managed master secret, and the drill roles may use it for that", (_name, engine) => {
  const { template } = build(engine);

  test('the steps may let RDS use the key for the restore and for the secret: DescribeKey, Decrypt, GenerateDataKey, CreateGrant on that key only', () => {
    const steps = statementsOf(template, 'DrillStepsServiceRole');
    const [key] = steps.filter((s) => s.Sid === 'DatabaseKeyForCopiesAndTheirSecrets');
    expect(key).toEqual({
      Sid: 'DatabaseKeyForCopiesAndTheirSecrets',
      Effect: 'Allow',
      Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
      Resource: DATABASE_KEY,
    });
    // No KMS permission of the steps reaches beyond the database key.
    for (const s of steps.filter(isKms)) expect(s.Resource).toEqual(DATABASE_KEY);
  });

  test('the validator may decrypt with the key only through Secrets Manager, and has nothing else on KMS', () => {
    const validator = statementsOf(template, 'DrillValidatorServiceRole');
    expect(validator.filter(isKms)).toEqual([
      {
        Sid: 'DecryptDrillCopySecretsViaSecretsManager',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: DATABASE_KEY,
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
      },
    ]);
    expect(validator.map((s) => s.Action)).toEqual(['secretsmanager:GetSecretValue', 'kms:Decrypt']);
  });

  test("the key's policy lets this account's IAM policies grant its use (so the statements above take effect)", () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('^shipshape database'),
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'kms:*',
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
          }),
        ]),
      },
    });
  });
});

describe('the cleanup bound', () => {
  function definitionOf(stack: Stack, template: Template): { States: Record<string, Record<string, unknown>>; TimeoutSeconds: number } {
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as Array<{ Properties: { DefinitionString: unknown } }>;
    const joined = stack.resolve(machine.Properties.DefinitionString) as { 'Fn::Join': [string, unknown[]] };
    return JSON.parse(joined['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('')) as ReturnType<typeof definitionOf>;
  }

  test("a cleanup that fails ends the execution with the cleanup's own error (CleanupTimeout past its bound)", () => {
    const { stack, template } = build(DatabaseEngine.AURORA_SERVERLESS_V2);
    expect(definitionOf(stack, template).States.CleanupFailed).toEqual({ Type: 'Fail', ErrorPath: '$.cleanupError.Error', CausePath: '$.cleanupError.Cause' });
  });

  test.each([
    [undefined, 5],
    [Duration.hours(1), 3],
  ])('restoreTimeout %s: the execution outlasts the restore bound and the 60-minute cleanup bound by an hour (%i h)', (restoreTimeout, hours) => {
    const { stack, template } = build(DatabaseEngine.AURORA_SERVERLESS_V2, { restoreTimeout });
    expect(definitionOf(stack, template).TimeoutSeconds).toBe(hours * 3600);
  });
});
