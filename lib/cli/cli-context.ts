import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
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
  return error instanceof Error ? error : new Error(String(error));
}
