import { App, Aws, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { nagResource } from '../../../constructs/private/acknowledge';

/** The resource part of a wildcard finding as cdk-nag 3 itself renders it from the resolved policy. */
const asCdkNagRendersIt = (stack: Stack, value: string) => `Resource::${flattenCfnReference(stack.resolve(value))}`;

describe('nagResource names a policy resource as cdk-nag does', () => {
  const agnostic = new Stack(new App(), 'Shop');
  const env = { account: '111111111111', region: 'eu-west-1' };
  const explicit = new Stack(new App(), 'Shop', { env });
  const withPartitionLiterals = new Stack(new App({ context: { '@aws-cdk/core:enablePartitionLiterals': true } }), 'Shop', { env });

  test.each([
    ['an environment-agnostic stack', agnostic, 'Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/Shop/*'],
    ['a stack with an explicit account and region', explicit, 'Resource::arn:<AWS::Partition>:cloudformation:eu-west-1:111111111111:stack/Shop/*'],
    ['an explicit environment with partition literals on (as in cdk.json)', withPartitionLiterals, 'Resource::arn:aws:cloudformation:eu-west-1:111111111111:stack/Shop/*'],
  ])('a Stack.formatArn ARN in %s carries that stack\'s partition, region and account', (_, stack, expected) => {
    const arn = stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stack.stackName}/*` });
    expect(nagResource(stack, arn)).toBe(expected);
    expect(nagResource(stack, arn)).toBe(asCdkNagRendersIt(stack, arn));
  });

  test('an ARN built from the Aws pseudo-parameters keeps them, even with an explicit environment', () => {
    const arn = `arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter/cdk-bootstrap/*`;
    expect(nagResource(explicit, arn)).toBe('Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/cdk-bootstrap/*');
    expect(nagResource(explicit, arn)).toBe(asCdkNagRendersIt(explicit, arn));
  });

  test('references and attributes of resources become <LogicalId> and <LogicalId.Attribute>; a literal stays as it is', () => {
    const queue = new sqs.Queue(agnostic, 'Queue');
    const arn = agnostic.formatArn({ service: 'sqs', resource: `${queue.queueName}-*` });
    expect(nagResource(agnostic, `${queue.queueArn}/*`)).toBe(asCdkNagRendersIt(agnostic, `${queue.queueArn}/*`));
    expect(nagResource(agnostic, `${queue.queueArn}/*`)).toMatch(/^Resource::<Queue[0-9A-F]+\.Arn>\/\*$/);
    expect(nagResource(agnostic, arn)).toBe(asCdkNagRendersIt(agnostic, arn));
    expect(nagResource(agnostic, '*')).toBe('Resource::*');
  });
});
