import type * as HttpsModule from 'node:https';
import * as path from 'node:path';
import { CloudFormationClient, UpdateTerminationProtectionCommand } from '@aws-sdk/client-cloudformation';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { NatStrategy, ProductionNetwork } from '../../../constructs/network';
import { RetryableCreate } from '../../../constructs/private/retryable-create';
import { newApp } from '../../helpers/reference-app';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Data/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;
const OTHER_STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Other/1a2b3c4d-4b5a-6978-8a9b-0c1d2e3f4a5b`;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
  readonly DependsOn?: string[];
}

/** A protected stack with the guard, a network (many resources) and a resource of its own. */
function build() {
  const app = newApp();
  const stack = new Stack(app, 'Data', { terminationProtection: true });
  const guard = new RetryableCreate(stack, 'RetryableCreate');
  new ProductionNetwork(stack, 'Net', { natStrategy: NatStrategy.SINGLE });
  new s3.Bucket(stack, 'Files', { enforceSSL: true });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  const guardId = Object.keys(resources).find((id) => resources[id].Type === 'Custom::ShipshapeRetryableCreate');
  if (!guardId) throw new Error('no guard resource');
  return { stack, guard, resources, guardId };
}

/** The template value as CloudFormation resolves it in stack `Data` (pseudo parameters and joins only). */
function resolve(value: Json): Json {
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  if ('Ref' in value) {
    const pseudo: Record<string, string> = { 'AWS::StackId': STACK_ID, 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::Partition': 'aws' };
    const ref = value.Ref as string;
    if (!(ref in pseudo)) throw new Error(`cannot resolve Ref ${ref}`);
    return pseudo[ref];
  }
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'] as [string, Json[]];
    return parts.map((part) => resolve(part) as string).join(separator);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
}

/** The logical ids a resource refers to: DependsOn, Ref and Fn::GetAtt. */
function dependenciesOf(resource: Resource, ids: ReadonlySet<string>): Set<string> {
  const found = new Set<string>(resource.DependsOn ?? []);
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const object = value as Record<string, unknown>;
    if (typeof object.Ref === 'string' && ids.has(object.Ref)) found.add(object.Ref);
    const getAtt = object['Fn::GetAtt'];
    if (Array.isArray(getAtt) && ids.has(getAtt[0] as string)) found.add(getAtt[0] as string);
    Object.values(object).forEach(visit);
  };
  visit(resource.Properties);
  return found;
}

/** Everything `id` needs before CloudFormation can create it, transitively. */
function closure(resources: Record<string, Resource>, id: string): Set<string> {
  const ids = new Set(Object.keys(resources));
  const seen = new Set<string>();
  const pending = [...dependenciesOf(resources[id], ids)];
  while (pending.length > 0) {
    const next = pending.pop() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    pending.push(...dependenciesOf(resources[next], ids));
  }
  return seen;
}

describe('RetryableCreate in a stack with termination protection', () => {
  const { resources, guardId } = build();

  test('every other resource depends on the guard, so it exists whatever fails and a rollback deletes it last', () => {
    const chain = closure(resources, guardId);
    const others = Object.keys(resources).filter((id) => id !== guardId && !chain.has(id));
    expect(others.length).toBeGreaterThan(30);
    expect(others.filter((id) => !(resources[id].DependsOn ?? []).includes(guardId))).toEqual([]);
  });

  test('the guard needs only its own function, role, policy, log group and key: no cycle, little before it that can fail', () => {
    const chain = closure(resources, guardId);
    expect([...chain].map((id) => resources[id].Type).sort()).toEqual(['AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::KMS::Key', 'AWS::Lambda::Function', 'AWS::Logs::LogGroup']);
    expect([...chain].filter((id) => closure(resources, id).has(guardId))).toEqual([]);
  });

  test('only a delete makes a call: the guard does nothing when the stack is created or updated', () => {
    const properties = resources[guardId].Properties ?? {};
    expect(properties.Create).toBeUndefined();
    expect(properties.Update).toBeUndefined();
    expect(JSON.parse(resolve(properties.Delete) as string)).toEqual({
      service: 'CloudFormation',
      action: 'UpdateTerminationProtection',
      parameters: { StackName: STACK_ID, EnableTerminationProtection: false },
      ignoreErrorCodesMatching: '.*',
    });
  });
});

describe('the guard function answering the delete of a rolled-back create', () => {
  const { resources, guardId } = build();
  const cfn = mockClient(CloudFormationClient);
  const responses: Array<Record<string, unknown>> = [];
  // The module object itself (an import namespace cannot be spied on): the handler requires it too.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const https = require('node:https') as typeof HttpsModule;
  // The handler AwsCustomResource deploys, run as is: it calls the SDK and answers CloudFormation over https.
  const handlerFile = path.join(path.dirname(require.resolve('aws-cdk-lib')), 'custom-resource-handlers/dist/custom-resources/aws-custom-resource-handler/index.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require(handlerFile) as { handler: (event: Record<string, unknown>, context: Record<string, unknown>) => Promise<void> };

  beforeEach(() => {
    cfn.reset();
    responses.length = 0;
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    jest.spyOn(https, 'request').mockImplementation(((_options: unknown, callback: () => void) => ({
      on: () => undefined,
      write: (body: string) => responses.push(JSON.parse(body) as Record<string, unknown>),
      end: () => callback(),
    })) as unknown as typeof https.request);
  });
  afterEach(() => jest.restoreAllMocks());

  const deleteEvent = () => ({
    RequestType: 'Delete',
    ResponseURL: 'https://cloudformation-custom-resource-response.example.com/answer',
    StackId: STACK_ID,
    RequestId: 'request-1',
    LogicalResourceId: guardId,
    PhysicalResourceId: guardId,
    ResourceType: 'Custom::ShipshapeRetryableCreate',
    ResourceProperties: resolve(resources[guardId].Properties as Json),
  });

  test('it turns the protection of its own stack off and answers SUCCESS', async () => {
    cfn.on(UpdateTerminationProtectionCommand).resolves({ StackId: STACK_ID });
    await handler(deleteEvent(), {});
    expect(cfn).toHaveReceivedCommandTimes(UpdateTerminationProtectionCommand, 1);
    expect(cfn).toHaveReceivedCommandWith(UpdateTerminationProtectionCommand, { StackName: STACK_ID, EnableTerminationProtection: false });
    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: guardId })]);
  });

  test.each([
    ['a stack being deleted refuses the call', 'ValidationError'],
    ['access is denied', 'AccessDeniedException'],
    ['the call is throttled', 'Throttling'],
  ])('when %s it still answers SUCCESS: a rollback or a delete never fails over it', async (_case, name) => {
    cfn.on(UpdateTerminationProtectionCommand).rejects(Object.assign(new Error(name), { name }));
    await handler(deleteEvent(), {});
    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS' })]);
  });

  test('the call it makes is allowed by the role the template grants it, on its own stack only', async () => {
    const functionId = Object.keys(resources).find((id) => resources[id].Type === 'AWS::Lambda::Function' && JSON.stringify(resources[guardId].Properties?.ServiceToken).includes(id));
    const roleId = (resources[functionId as string].Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const identityPolicies = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
      .map(([id, r]) => ({ name: id, policy: resolve(r.Properties?.PolicyDocument as Json) }));
    expect(identityPolicies).toHaveLength(1);
    const decide = async (resource: string) => {
      const result = await runSimulation(
        {
          request: {
            principal: `arn:aws:sts::${ACCOUNT}:assumed-role/guard-role/guard-function`,
            action: 'cloudformation:UpdateTerminationProtection',
            resource: { resource, accountId: ACCOUNT },
            contextVariables: {},
          },
          identityPolicies,
          serviceControlPolicies: [],
          resourceControlPolicies: [],
        },
        { simulationMode: 'Strict' },
      );
      if (result.resultType === 'error') throw new Error(result.errors.message);
      return result.overallResult;
    };
    cfn.on(UpdateTerminationProtectionCommand).resolves({ StackId: STACK_ID });
    await handler(deleteEvent(), {});
    const called = cfn.commandCalls(UpdateTerminationProtectionCommand).map((call) => call.args[0].input.StackName as string);
    expect(called).toEqual([STACK_ID]);
    expect(await decide(called[0])).toBe('Allowed');
    expect(await decide(OTHER_STACK_ID)).not.toBe('Allowed');
  });
});

describe('RetryableCreate refuses what cannot work', () => {
  test('a stack without termination protection: there is nothing to turn off', () => {
    const stack = new Stack(newApp(), 'Plain');
    expect(() => new RetryableCreate(stack, 'RetryableCreate')).toThrow(/Plain has terminationProtection off/);
  });

  test('a stack where another AwsCustomResource already made the provider function the guard must create first', () => {
    const stack = new Stack(newApp(), 'Late', { terminationProtection: true });
    new cr.AwsCustomResource(stack, 'Other', {
      onCreate: { service: 'STS', action: 'GetCallerIdentity', physicalResourceId: cr.PhysicalResourceId.of('x') },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
      timeout: Duration.minutes(1),
    });
    expect(() => new RetryableCreate(stack, 'RetryableCreate')).toThrow(/before any other AwsCustomResource/);
  });
});
