import { type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { encryptedLogGroup } from './encryption';
import { handlerBundle } from './handler-bundles';

export interface ShipshapeFunctionOptions {
  /** The handler file, a `*.lambda.ts` in a construct's `runtime/` folder. */
  readonly entry: string;
  readonly description: string;
  /** Encrypts the function's log group and environment; must allow CloudWatch Logs. */
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly timeout?: Duration;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly environment?: Record<string, string>;
}

/**
 * A Node 24 ARM Lambda running the pre-built bundle of `entry` (see handler-bundles.ts), with an
 * encrypted log group and JSON logs. The AWS SDK v3 comes from the runtime; everything else is in
 * the bundle.
 */
export function shipshapeFunction(scope: Construct, id: string, options: ShipshapeFunctionOptions): lambda.Function {
  return new lambda.Function(scope, id, {
    code: lambda.Code.fromAsset(handlerBundle(options.entry)),
    handler: 'index.handler',
    description: options.description,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: options.timeout ?? Duration.minutes(1),
    vpc: options.vpc,
    vpcSubnets: options.vpcSubnets,
    environment: options.environment,
    environmentEncryption: options.key,
    loggingFormat: lambda.LoggingFormat.JSON,
    logGroup: encryptedLogGroup(scope, `${id}Logs`, { key: options.key, retention: options.logRetention }),
  });
}

/**
 * The findings every shipshape function raises by design, acknowledged on it with the reasons.
 * `invocation` says who calls it (the DLQ rule concerns asynchronous invocations only).
 */
export function acknowledgeFunctionFindings(fn: lambda.Function, invocation: string): void {
  acknowledge(
    fn,
    'NIST.800.53.R5-LambdaConcurrency',
    'No reserved concurrency: new accounts have a concurrency quota of 10, and any reservation would fail the deploy there; ' +
      'this function runs rarely and briefly.',
  );
  acknowledge(fn, 'NIST.800.53.R5-LambdaDLQ', `${invocation}: a failure is reported to the caller, which a dead-letter queue would not improve.`);
  const role = fn.role?.node.defaultChild ? fn.role : undefined;
  acknowledge(
    role,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'AWS maintains this policy: it allows writing the function log and nothing else.',
  );
  acknowledge(
    role,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
    'AWS maintains this policy: the network interface permissions a function in a VPC needs, which cannot be scoped to resources.',
  );
  acknowledge(
    role,
    'NIST.800.53.R5-IAMNoInlinePolicy',
    'CDK writes the grants this function receives (each scoped to named resources) as the role default policy.',
  );
}

/** The findings of CDK's custom resource Provider framework, acknowledged on the provider. */
export function acknowledgeProviderFindings(provider: Construct, handler: lambda.Function): void {
  const onEvent = provider.node.tryFindChild('framework-onEvent');
  if (onEvent instanceof lambda.Function) {
    acknowledgeFunctionFindings(onEvent, 'CloudFormation calls the Provider framework synchronously');
  }
  acknowledge(
    onEvent,
    'NIST.800.53.R5-LambdaInsideVPC',
    'The Provider framework function only relays CloudFormation requests to its handler (which runs in the VPC) and answers a pre-signed S3 URL; it reaches no private resource.',
  );
  const handlerId = Stack.of(handler).getLogicalId(handler.node.defaultChild as CfnElement);
  acknowledge(
    onEvent,
    `AwsSolutions-IAM5[Resource::<${handlerId}.Arn>:*]`,
    'The Provider framework may invoke any version of its one handler function; the wildcard covers versions of that function only.',
  );
}
