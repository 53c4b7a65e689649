import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';

/** What a command needs from the outside world; tests pass mocked clients and a fake clock. */
export interface CliContext {
  readonly cloudformation: CloudFormationClient;
  readonly sfn: SFNClient;
  readonly s3: S3Client;
  readonly ecs: ECSClient;
  readonly codepipeline: CodePipelineClient;
  readonly ecr: ECRClient;
  readonly cloudwatch: CloudWatchClient;
  readonly logs: CloudWatchLogsClient;
  readonly out: (line: string) => void;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
}

/** A failure the CLI reports as one clear line and a non-zero exit. */
export class CliError extends Error {
  constructor(
    message: string,
    public readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Turns an AWS SDK error into the line an operator can act on. */
export function explainAwsError(error: unknown): Error {
  const e = error as { name?: string; message?: string };
  if (e.name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message ?? '')) {
    return new CliError('No AWS credentials found: set AWS_PROFILE (or run `aws sso login`) and AWS_REGION, then try again.', 2);
  }
  if (/Region is missing/i.test(e.message ?? '')) {
    return new CliError('No AWS region: set AWS_REGION (or use a profile that has one), then try again.', 2);
  }
  if (e.name === 'ExpiredTokenException' || e.name === 'ExpiredToken') {
    return new CliError('Your AWS session has expired: log in again (e.g. `aws sso login`).', 2);
  }
  if (/^(AccessDenied|AccessDeniedException|UnauthorizedOperation|UnrecognizedClientException)$/.test(e.name ?? '')) {
    return new CliError(`AWS refused the call (${e.name}): ${e.message ?? ''} Use credentials whose role allows it (the read-only commands need only Describe/List/Get/Filter actions).`);
  }
  if (/^(Throttling|ThrottlingException|TooManyRequestsException|RequestLimitExceeded)$/.test(e.name ?? '')) {
    return new CliError(`AWS throttled the calls (${e.name}) after the SDK's retries: try again in a minute.`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
