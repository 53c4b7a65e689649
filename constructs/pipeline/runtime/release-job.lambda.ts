import { Logger } from '@aws-lambda-powertools/logger';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient, PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { type ReleaseJob, type ReleaseProgress, type ReleaseTarget, releaseStep } from './release-job';

const logger = new Logger({ serviceName: 'shipshape-release' });
const codepipeline = new CodePipelineClient({});
const clients = { cloudformation: new CloudFormationClient({}), ecs: new ECSClient({}), ecr: new ECRClient({}), now: () => new Date() };

/** The part of the CodePipeline Lambda invoke event used here. */
export interface CodePipelineJobEvent {
  readonly 'CodePipeline.job': {
    readonly id: string;
    readonly data: {
      readonly continuationToken?: string;
      /** The pipeline execution the job is part of (https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineContext.html). */
      readonly pipelineContext?: { readonly pipelineExecutionId?: string };
      readonly actionConfiguration: { readonly configuration: { readonly UserParameters: string } };
    };
  };
}

/** A CodePipeline action: one step of a release job per invocation, continued until done. */
export async function handler(event: CodePipelineJobEvent): Promise<void> {
  const { id: jobId, data } = event['CodePipeline.job'];
  logger.appendKeys({ correlation_id: jobId });
  try {
    const parameters = JSON.parse(data.actionConfiguration.configuration.UserParameters) as ReleaseJob;
    // The action passes #{codepipeline.PipelineExecutionId} in its parameters; the job's pipeline context, where CodePipeline gives it, is the fallback.
    const job: ReleaseJob = { ...parameters, executionId: parameters.executionId || data.pipelineContext?.pipelineExecutionId };
    const target = JSON.parse(process.env.RELEASE_TARGET ?? '{}') as ReleaseTarget;
    const progress = data.continuationToken ? (JSON.parse(data.continuationToken) as ReleaseProgress) : undefined;
    const result = await releaseStep(clients, target, job, progress);
    logger.info(result.message, { job, outcome: result.outcome });
    if (result.outcome === 'failed') {
      await codepipeline.send(new PutJobFailureResultCommand({ jobId, failureDetails: { type: 'JobFailed', message: result.message.slice(0, 5000) } }));
    } else {
      await codepipeline.send(
        new PutJobSuccessResultCommand({
          jobId,
          continuationToken: result.outcome === 'continue' ? JSON.stringify(result.progress) : undefined,
          executionDetails: { summary: result.message.slice(0, 2048) },
        }),
      );
    }
  } catch (error) {
    logger.error('release step failed', error as Error);
    await codepipeline.send(new PutJobFailureResultCommand({ jobId, failureDetails: { type: 'JobFailed', message: String((error as Error).message).slice(0, 5000) } }));
  }
}
