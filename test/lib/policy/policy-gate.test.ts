import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { PolicyGateError, addPolicyPacks, synthWithPolicyGate } from '../../../lib/policy';
import { newApp } from '../../helpers/reference-app';

function gateErrorOf(run: () => unknown): PolicyGateError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyGateError);
    return error as PolicyGateError;
  }
  throw new Error('expected the policy gate to refuse the synth');
}

afterEach(() => jest.restoreAllMocks());

describe('synthWithPolicyGate', () => {
  test('an unacknowledged AwsSolutions finding stops the synth and names the rule and the construct', () => {
    const app = newApp();
    new s3.Bucket(new Stack(app, 'Data'), 'Uploads', { enforceSSL: true });
    addPolicyPacks(app);
    const error = gateErrorOf(() => synthWithPolicyGate(app));
    expect(error.findings).toContainEqual(
      expect.objectContaining({ pack: 'AwsSolutions', rule: 'AwsSolutions-S1', constructPath: 'Data/Uploads/Resource' }),
    );
    expect(error.message).toMatch(/AwsSolutions-S1 at Data\/Uploads\/Resource/);
  });

  test('a NIST 800-53 R5 finding stops the synth as well', () => {
    const app = newApp();
    new s3.Bucket(new Stack(app, 'Data'), 'Uploads', { enforceSSL: true });
    addPolicyPacks(app);
    expect(gateErrorOf(() => synthWithPolicyGate(app)).findings.map((f) => f.pack)).toContain('NIST.800.53.R5');
  });

  test('a CloudFormation validation warning stops the synth, though CDK alone would only warn', () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined); // CDK prints the report it writes
    const app = newApp({ '@aws-cdk/core:validateAgainstDefaultRules': false });
    new CfnResource(new Stack(app, 'Queue'), 'Jobs', { type: 'AWS::SQS::Queue', properties: { Bogus: 1 } });
    const error = gateErrorOf(() => synthWithPolicyGate(app));
    expect(error.findings).toEqual([expect.objectContaining({ pack: 'CloudFormation Validate', severity: 'warning' })]);
  });

  test('an acknowledged finding passes and its reason is written into the template metadata', () => {
    const app = newApp();
    const stack = new Stack(app, 'Data');
    const queue = new CfnResource(stack, 'Jobs', { type: 'AWS::SQS::Queue', properties: {} });
    for (const id of ['AwsSolutions-SQS3', 'AwsSolutions-SQS4', 'NIST.800.53.R5-SQSQueueSSLRequestsOnly']) {
      Validations.of(queue).acknowledge({ id, reason: `a reason for ${id} that a reviewer can read` });
    }
    addPolicyPacks(app);
    const assembly = synthWithPolicyGate(app);
    const template = assembly.getStackByName('Data').template as { Resources: Record<string, { Metadata?: unknown }> };
    expect(template.Resources.Jobs.Metadata).toEqual({
      cdk_nag: {
        rules_to_suppress: expect.arrayContaining([
          { id: 'AwsSolutions-SQS3', reason: 'a reason for AwsSolutions-SQS3 that a reviewer can read' },
        ]),
      },
    });
  });
});
