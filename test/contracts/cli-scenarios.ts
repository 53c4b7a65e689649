import { CloudFormationClient, DescribeStacksCommand, type DescribeStacksCommandInput, ListStackResourcesCommand, type ListStackResourcesCommandInput } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, type DescribeAlarmsCommandInput } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  type ActionDeclaration,
  CodePipelineClient,
  GetPipelineCommand,
  GetPipelineExecutionCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  RollbackStageCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { DescribeImagesCommand, type DescribeImagesCommandInput, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeServiceDeploymentsCommand, DescribeServiceRevisionsCommand, ECSClient, ListServiceDeploymentsCommand, StopServiceDeploymentCommand } from '@aws-sdk/client-ecs';
import { GetObjectCommand, type GetObjectCommandOutput, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../lib/cli';
import { DRILL_OUTPUTS, SERVICE_OUTPUTS } from '../../lib/stacks/outputs';
import { testCliContext } from '../helpers/cli';
import type { Json } from './deployed-template';
import { CallRecorder } from './runtime-calls';
import type { SdkCall } from './runtime-iam';
import type { RuntimeTemplate } from './runtime-template';

/*
 * Each `shipshape` command run through its real code (`main`) against mocked AWS that answers with
 * what the deployed stacks hold: their outputs, resources and alarms as the templates make them.
 * The commands' calls are recorded; their IAM requests are what docs/operator-permissions.md grants.
 */

export const OPERATOR = 'operator';

export interface CliStacks {
  readonly stateful: RuntimeTemplate;
  readonly stateless: RuntimeTemplate;
}

/** The outputs a stack shows once deployed (DescribeStacks). */
export function outputsOf(deployed: RuntimeTemplate): Record<string, string> {
  const outputs = (deployed.template as { Outputs?: Record<string, { Value: Json }> }).Outputs ?? {};
  return Object.fromEntries(Object.entries(outputs).map(([key, o]) => [key, deployed.resolveString(o.Value)]));
}

/** A resource's physical id, or a stand-in where the template's value cannot be resolved here (conditions). */
function physicalId(stack: RuntimeTemplate, id: string): string {
  try {
    return stack.ref(id);
  } catch {
    return `${id}-physical-id`;
  }
}

/** The release pipeline's stages as GetPipeline describes them, from the template. */
export function pipelineStagesOf(stateless: RuntimeTemplate): Array<{ name: string; actions: ActionDeclaration[] }> {
  const [id] = stateless.idsOf('AWS::CodePipeline::Pipeline');
  if (!id) return [];
  type Stage = { Name: string; Actions: Array<{ Name: string; ActionTypeId: Record<string, string>; Configuration?: Record<string, Json> }> };
  const stages = (stateless.resource(id).Properties?.Stages ?? []) as Stage[];
  return stages.map((stage) => ({
    name: stage.Name,
    actions: stage.Actions.map((a) => ({
      name: a.Name,
      actionTypeId: { category: a.ActionTypeId.Category, owner: a.ActionTypeId.Owner, provider: a.ActionTypeId.Provider, version: a.ActionTypeId.Version } as ActionDeclaration['actionTypeId'],
      configuration: Object.fromEntries(Object.entries(a.Configuration ?? {}).filter(([key]) => key !== 'UserParameters').map(([key, value]) => [key, stateless.resolveString(value)])),
    })),
  }));
}

/** The repository the pipeline's ECR source watches (the kit's image repository), by name. */
export function imageRepositoryOf(stateless: RuntimeTemplate): string {
  const source = pipelineStagesOf(stateless).flatMap((s) => s.actions).find((a) => a.actionTypeId?.provider === 'ECR');
  const name = source?.configuration?.RepositoryName;
  if (!name) throw new Error('the stateless stack has no pipeline with an ECR source');
  return name;
}

interface Scenario {
  readonly command: string;
  readonly argv: string[];
  readonly exitCode: number;
  /** Answers the calls the scenario's path needs (on top of DescribeStacks and ListStackResources). */
  readonly answer: () => void;
  /** A stateless stack deployed without a pipeline. */
  readonly withoutPipeline?: boolean;
}

/** Every command of the CLI run through its paths that reach AWS, with the calls it made. */
export async function cliScenarios(stacks: CliStacks): Promise<{ calls: SdkCall[]; commands: Set<string> }> {
  const cfn = mockClient(CloudFormationClient);
  const sfn = mockClient(SFNClient);
  const s3 = mockClient(S3Client);
  const ecs = mockClient(ECSClient);
  const codepipeline = mockClient(CodePipelineClient);
  const cloudwatch = mockClient(CloudWatchClient);
  const logs = mockClient(CloudWatchLogsClient);
  const ecr = mockClient(ECRClient);
  const all = [cfn, sfn, s3, ecs, codepipeline, cloudwatch, logs, ecr];
  const stateful = outputsOf(stacks.stateful);
  const stateless = outputsOf(stacks.stateless);
  const stateMachine = stateful[DRILL_OUTPUTS.stateMachine];
  const execution = `${stateMachine.replace(':stateMachine:', ':execution:')}:manual-2026-11-25T10-00-00-000Z`;
  const serviceArn = stateless[SERVICE_OUTPUTS.service];
  const [, cluster, service] = serviceArn.split(':').pop()?.split('/') ?? [];
  const ecsArn = (type: string, id: string) => serviceArn.replace(/:service\/.*/, `:${type}/${cluster}/${service}/${id}`);
  const deployment = ecsArn('service-deployment', 'AbCdEf0123456789');
  const revision = (n: number) => ecsArn('service-revision', `40000000000000000${n}`);
  const release = (id: string) => ({ pipelineExecutionId: id, status: 'Succeeded' as const, executionType: 'STANDARD' as const, sourceRevisions: [{ actionName: 'Image', revisionId: `sha256:${id.repeat(64)}` }] });
  const body = (report: unknown) => ({ transformToString: () => Promise.resolve(JSON.stringify(report)) }) as unknown as GetObjectCommandOutput['Body'];
  const report = { startedAt: '2026-11-22T06:00:00Z', database: 'db', outcome: 'succeeded', rtoSeconds: 1320, rpoSeconds: 45, checks: [] };
  const drillState = { config: { databaseLabel: 'db', engine: 'aurora-serverless-v2' }, executionName: 'manual-1', startedAt: '2026-11-25T10:00:00.000Z', validation: { passed: true, checks: [], validatedAt: '2026-11-25T10:21:00.000Z' } };
  const entered = (name: string, input?: unknown) => ({ timestamp: new Date('2026-11-25T10:05:00Z'), type: 'TaskStateEntered' as const, id: 1, stateEnteredEventDetails: { name, input: input === undefined ? undefined : JSON.stringify(input) } });
  const statefulName = stacks.stateful.stackName;
  const statelessName = stacks.stateless.stackName;
  const scenarios: Scenario[] = [
    {
      command: 'drill run',
      argv: ['drill', 'run', '--stack', statefulName, '--wait'],
      exitCode: 0,
      answer: () => {
        sfn.on(ListExecutionsCommand).resolves({ executions: [] });
        sfn.on(StartExecutionCommand).resolves({ executionArn: execution, startDate: new Date('2026-11-25T10:00:00Z') });
        sfn.on(GetExecutionHistoryCommand).resolves({ events: [entered('Validate'), entered('Report', drillState)] });
        sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' });
      },
    },
    {
      command: 'drill run',
      argv: ['drill', 'run', '--stack', statefulName, '--wait'],
      exitCode: 1,
      answer: () => {
        sfn.on(ListExecutionsCommand).resolves({ executions: [] });
        sfn.on(StartExecutionCommand).resolves({ executionArn: execution, startDate: new Date('2026-11-25T10:00:00Z') });
        sfn.on(GetExecutionHistoryCommand).resolves({ events: [entered('CheckRestore')] });
        sfn.on(DescribeExecutionCommand).resolves({ status: 'TIMED_OUT', error: 'States.Timeout' });
      },
    },
    {
      command: 'drill status',
      argv: ['drill', 'status', '--stack', statefulName],
      exitCode: 0,
      answer: () => {
        s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'drills/db/a.json', LastModified: new Date('2026-11-22T07:00:00Z') }] });
        s3.on(GetObjectCommand).resolves({ Body: body(report) });
      },
    },
    {
      command: 'rollback',
      argv: ['rollback', '--stack', statelessName, '--yes'],
      exitCode: 0,
      answer: () => {
        ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: deployment, serviceArn, status: 'IN_PROGRESS', targetServiceRevisionArn: revision(2) }] });
        ecs.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: deployment });
        ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: deployment, status: 'ROLLBACK_SUCCESSFUL' }] });
      },
    },
    {
      command: 'rollback',
      argv: ['rollback', '--stack', statelessName, '--yes'],
      exitCode: 0,
      answer: () => {
        ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
        codepipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [release('b'), release('a')] });
        codepipeline.on(RollbackStageCommand).resolves({ pipelineExecutionId: 'r1' });
        codepipeline.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { status: 'Succeeded' } });
      },
    },
    {
      command: 'rollback',
      argv: ['rollback', '--stack', statelessName],
      exitCode: 2,
      withoutPipeline: true,
      answer: () => {
        ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: deployment, serviceArn, status: 'SUCCESSFUL', targetServiceRevisionArn: revision(1) }] });
        ecs.on(DescribeServiceRevisionsCommand).resolves({ serviceRevisions: [{ serviceRevisionArn: revision(1), containerImages: [{ containerName: 'app', image: 'repo:v1' }] }] });
      },
    },
    {
      command: 'status',
      argv: ['status', '--stack', statelessName],
      exitCode: 0,
      answer: () => {
        ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ status: 'SUCCESSFUL', targetServiceRevisionArn: revision(2) }, { status: 'SUCCESSFUL', targetServiceRevisionArn: revision(1) }] });
        codepipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [release('b')] });
        // The revision runs an image of the kit's repository, tagged by its release: status maps it to that execution.
        const image = `${stateless[SERVICE_OUTPUTS.imageRepository] ?? 'repo'}@sha256:${'b'.repeat(64)}`;
        ecs.on(DescribeServiceRevisionsCommand).resolves({ serviceRevisions: [{ serviceRevisionArn: revision(2), containerImages: [{ containerName: 'app', image, imageDigest: `sha256:${'b'.repeat(64)}` }] }] });
        ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: `sha256:${'b'.repeat(64)}`, imageTags: ['latest', 'release-b'] }] });
        codepipeline.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { pipelineExecutionId: 'b', status: 'Succeeded', trigger: { triggerType: 'CloudWatchEvent' } } });
      },
    },
    {
      command: 'release',
      argv: ['release', 'v2', '--stack', statelessName],
      exitCode: 0,
      answer: () => {
        codepipeline.on(GetPipelineCommand).resolves({ pipeline: { name: stateless[SERVICE_OUTPUTS.pipeline], roleArn: 'role', stages: pipelineStagesOf(stacks.stateless) } });
        ecr.on(DescribeImagesCommand).callsFake((input: DescribeImagesCommandInput) => ({ imageDetails: [{ repositoryName: input.repositoryName, imageDigest: `sha256:${'2'.repeat(64)}`, imageTags: ['v2'] }] }));
        codepipeline.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'exec-2' });
        codepipeline.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { pipelineExecutionId: 'exec-2', status: 'Succeeded' } });
        codepipeline.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [{ stageName: 'Deploy', actionName: 'Deploy', status: 'Succeeded' }] });
      },
    },
    {
      command: 'alarms',
      argv: ['alarms', '--stack', statefulName, '--stack', statelessName],
      exitCode: 0,
      answer: () => {
        cloudwatch.on(DescribeAlarmsCommand).callsFake((input: DescribeAlarmsCommandInput) => ({
          MetricAlarms: (input.AlarmNames ?? []).map((AlarmName) => ({ AlarmName, StateValue: 'OK', StateReason: 'fine', StateUpdatedTimestamp: new Date() })),
        }));
      },
    },
    {
      command: 'logs',
      argv: ['logs', '--stack', statelessName, '--since', '1h'],
      exitCode: 0,
      answer: () => {
        logs.on(FilterLogEventsCommand).resolves({ events: [{ timestamp: Date.now(), logStreamName: 'app/1', message: 'GET /health 200' }] });
      },
    },
  ];
  const recorder = new CallRecorder().watch(...all);
  try {
    for (const scenario of scenarios) {
      for (const mock of all) mock.reset();
      const stackOf = (name: string | undefined) => (name === statefulName ? stacks.stateful : name === statelessName ? stacks.stateless : undefined);
      cfn.on(DescribeStacksCommand).callsFake((input: DescribeStacksCommandInput) => {
        const stack = stackOf(input.StackName);
        if (!stack) throw new Error(`Stack with id ${input.StackName} does not exist`);
        const outputs = Object.entries(outputsOf(stack)).filter(([key]) => !(scenario.withoutPipeline && key === SERVICE_OUTPUTS.pipeline));
        return { Stacks: [{ StackName: stack.stackName, CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: outputs.map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }] };
      });
      cfn.on(ListStackResourcesCommand).callsFake((input: ListStackResourcesCommandInput) => {
        const stack = stackOf(input.StackName);
        if (!stack) throw new Error(`Stack with id ${input.StackName} does not exist`);
        return {
          StackResourceSummaries: Object.entries(stack.template.Resources).map(([id, r]) => ({
            LogicalResourceId: id,
            ResourceType: r.Type,
            PhysicalResourceId: physicalId(stack, id),
            ResourceStatus: 'CREATE_COMPLETE' as const,
            LastUpdatedTimestamp: new Date(),
          })),
        };
      });
      scenario.answer();
      // Recorder#watch counted the calls before the reset: count again from none.
      recorder.watch(...all);
      const err: string[] = [];
      const exitCode = await recorder.as(OPERATOR, () => main(scenario.argv, testCliContext('2026-11-25T10:00:00Z', []), (line) => err.push(line)));
      if (exitCode !== scenario.exitCode) throw new Error(`shipshape ${scenario.argv.join(' ')}: exit ${exitCode}, expected ${scenario.exitCode} (${err.join(' ')})`);
    }
  } finally {
    for (const mock of all) mock.restore();
  }
  return {
    calls: recorder.calls.map((c) => ({ ...c, tags: new Map() })),
    commands: new Set(scenarios.map((s) => s.command)),
  };
}
