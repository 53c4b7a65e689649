import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { CliContext } from '../../lib/cli';

/** A CLI context on real (mockable) clients, a fake clock that `sleep` advances, and `out` captured. */
export function testCliContext(start: string, out: string[]): CliContext {
  let clock = new Date(start).getTime();
  const region = 'eu-west-1';
  return {
    cloudformation: new CloudFormationClient({ region }),
    sfn: new SFNClient({ region }),
    s3: new S3Client({ region }),
    ecs: new ECSClient({ region }),
    codepipeline: new CodePipelineClient({ region }),
    ecr: new ECRClient({ region }),
    cloudwatch: new CloudWatchClient({ region }),
    logs: new CloudWatchLogsClient({ region }),
    out: (line) => out.push(line),
    now: () => new Date(clock),
    sleep: (ms) => {
      clock += ms;
      return Promise.resolve();
    },
  };
}
