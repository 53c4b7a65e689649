import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand, type StackStatus, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { BatchGetImageCommand, DescribeImagesCommand, ECRClient, ImageAlreadyExistsException, ImageNotFoundException, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  DescribeServiceDeploymentsCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  RunTaskCommand,
  StopServiceDeploymentCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as alarmRollback } from '../../constructs/alarms/runtime/alarm-rollback.lambda';
import { handler as firstMigrationStart } from '../../constructs/pipeline/runtime/first-migration-start.lambda';
import { handler as firstMigrationWait } from '../../constructs/pipeline/runtime/first-migration-wait.lambda';
import { handler as releaseJob } from '../../constructs/pipeline/runtime/release-job.lambda';
import type { DrillConfig, DrillState } from '../../constructs/restore-drill/runtime/drill-state';
import { handler as drillStep } from '../../constructs/restore-drill/runtime/drill-steps.lambda';
import { handler as heartbeat } from '../../constructs/restore-drill/runtime/heartbeat.lambda';
import { handler as sweeper } from '../../constructs/restore-drill/runtime/sweeper.lambda';
import { handler as validate } from '../../constructs/restore-drill/runtime/validate.lambda';
import { handler as bootstrapUser } from '../../constructs/secrets/runtime/bootstrap-user.lambda';
import { handler as deploymentGuard } from '../../constructs/service/runtime/deployment-guard.lambda';
import { handler as smokeTest } from '../../constructs/service/runtime/smoke-test.lambda';
import { runDrill, START } from '../constructs/restore-drill/runtime/drill-runner';
import { FakeAws } from '../constructs/restore-drill/runtime/fake-aws';
import { ACCOUNT, type Json, REGION } from './deployed-template';
import { captureStdout } from './metrics';
import { CallRecorder, withResourceTags } from './runtime-calls';
import type { SdkCall } from './runtime-iam';
import type { RuntimeTemplate } from './runtime-template';

/*
 * Realistic runs of each Lambda handler the kit ships, against mocked AWS, with the inputs the
 * template gives it: its environment, the state machine input, the custom resource properties.
 * Every command the handlers send is recorded (runtime-calls.ts); nothing here lists calls.
 */

export interface Recorded {
  readonly calls: SdkCall[];
  /** Keys of secrets created during the run (RDS managed master secrets), by secret ARN. */
  readonly keys: Map<string, string>;
}

const CONTEXT = { awsRequestId: 'req-1', functionName: 'fn', invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fn` } as Context;
const arnIn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

/** The function's environment as deployed. */
function environmentOf(deployed: RuntimeTemplate, fnId: string): Record<string, string> {
  const variables = (deployed.resource(fnId).Properties?.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables ?? {};
  return Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, deployed.resolveString(v)]));
}

async function withEnvironment<T>(variables: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(variables).map((k) => [k, process.env[k]]));
  Object.assign(process.env, variables);
  try {
    return await run();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** The Lambda function whose ARN a state of a state machine or a provider names. */
function functionWithArn(deployed: RuntimeTemplate, arn: string): string {
  const id = deployed.idsOf('AWS::Lambda::Function').find((f) => deployed.getAtt(f, 'Arn') === arn);
  if (!id) throw new Error(`no function of the template has the ARN ${arn}`);
  return id;
}

interface DrillDefinition {
  readonly States: Record<string, { Type: string; Resource?: string; Parameters?: { config?: DrillConfig } }>;
}

/** The drill state machine that runs `stepsId`: its input config and its validator function. */
function drillOf(deployed: RuntimeTemplate, stepsId: string): { config: DrillConfig; validatorId: string } {
  const stepsArn = deployed.getAtt(stepsId, 'Arn');
  for (const id of deployed.idsOf('AWS::StepFunctions::StateMachine')) {
    const definition = JSON.parse(deployed.resolveString(deployed.resource(id).Properties?.DefinitionString)) as DrillDefinition;
    const config = definition.States.Initialize?.Parameters?.config;
    if (!config || definition.States.PickSource?.Resource !== stepsArn) continue;
    return { config, validatorId: functionWithArn(deployed, definition.States.Validate.Resource as string) };
  }
  throw new Error(`no drill state machine runs ${stepsId}`);
}

/** Fakes Date only (the drill handlers read the clock; the drill runner sets it step by step). */
function fakeClock(): void {
  jest.useFakeTimers({
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
    now: START,
  });
}

const failingValidation = (state: DrillState): DrillState => ({ ...state, validation: { passed: false, checks: [{ name: 'table orders', passed: false, message: 'missing' }], validatedAt: START.toISOString() } });

/**
 * The restore drill as its state machine runs it, step by step through the real drill and validator
 * handlers, in an in-memory RDS and AWS Backup: a drill that succeeds, one whose checks fail, and one
 * whose copy never becomes available (the restore bound, then cleanup of a copy still creating);
 * with a vault source, also a restore job that fails.
 */
export async function drillScenarios(deployed: RuntimeTemplate, stepsId: string): Promise<Recorded> {
  const { config, validatorId } = drillOf(deployed, stepsId);
  // S3 and SNS accept every report and notification.
  const s3 = mockClient(S3Client).on(PutObjectCommand).resolves({});
  const sns = mockClient(SNSClient).on(PublishCommand).resolves({});
  const secrets = mockClient(SecretsManagerClient).on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: 'postgres', password: 'p' }) });
  const recorded: SdkCall[] = [];
  const keys = new Map<string, string>();
  const variants: Array<{ name: string; setup: (fake: FakeAws) => void; failChecks?: boolean }> = [
    { name: 'succeeds', setup: () => undefined },
    { name: 'checks fail', setup: () => undefined, failChecks: true },
    { name: 'copy never ready', setup: (fake) => (fake.describesUntilAvailable = Infinity) },
  ];
  if (config.source.mode === 'backup-vault') variants.push({ name: 'restore job fails', setup: (fake) => (fake.restoreJobStatus = 'FAILED') });
  fakeClock();
  try {
    for (const variant of variants) {
      const fake = new FakeAws(() => new Date(), ACCOUNT, REGION);
      // The source exists (point-in-time restores describe it).
      if (config.engine === 'aurora-serverless-v2') fake.seedCluster(config.sourceIdentifier, [], new Date('2026-01-01T00:00:00Z'));
      else fake.seedInstance(config.sourceIdentifier, [], new Date('2026-01-01T00:00:00Z'));
      variant.setup(fake);
      const recorder = new CallRecorder().watch(fake.rds, fake.backup, s3, sns, secrets);
      await captureStdout(() =>
        runDrill(
          config,
          (state) => recorder.as(validatorId, async () => (variant.failChecks ? failingValidation(await validate({ state }, CONTEXT)) : validate({ state }, CONTEXT))),
          (step, state, now) => {
            jest.setSystemTime(now);
            return recorder.as(stepsId, () => drillStep({ step, state }, CONTEXT));
          },
        ),
      );
      fake.rds.restore();
      fake.backup.restore();
      const tagged = withResourceTags(recorder.calls, new Map(), arnIn);
      recorded.push(...tagged.calls);
      for (const [k, v] of tagged.keys) keys.set(k, v);
    }
  } finally {
    jest.useRealTimers();
    for (const mock of [secrets, s3, sns]) mock.restore();
  }
  return { calls: recorded, keys };
}

/** The validator runs inside the drill: its calls are recorded by the drill's scenarios. */
export const RUN_BY_THE_DRILL = 'run by the drill state machine';

/** The sweeper deletes drill copies a failed drill left behind (old and tagged), and reads the last drills. */
export async function sweeperScenarios(deployed: RuntimeTemplate, fnId: string): Promise<Recorded> {
  const fake = new FakeAws(() => new Date(), ACCOUNT, REGION);
  const old = new Date(Date.now() - 3 * 86_400_000);
  const drillTags = (id: string) => [{ Key: 'shipshape:drill', Value: id }];
  fake.seedCluster('shipshape-drill-weekly-1', drillTags('shipshape-drill-weekly-1'), old);
  fake.seedInstance('shipshape-drill-weekly-1-db', drillTags('shipshape-drill-weekly-1'), old, 'shipshape-drill-weekly-1');
  fake.seedInstance('shipshape-drill-weekly-2', drillTags('shipshape-drill-weekly-2'), old);
  fake.seedCluster('orders', [], old);
  const initial = new Map<string, Record<string, string>>([
    [arnIn('rds', 'cluster:shipshape-drill-weekly-1'), { 'shipshape:drill': 'shipshape-drill-weekly-1' }],
    [arnIn('rds', 'db:shipshape-drill-weekly-1-db'), { 'shipshape:drill': 'shipshape-drill-weekly-1' }],
    [arnIn('rds', 'db:shipshape-drill-weekly-2'), { 'shipshape:drill': 'shipshape-drill-weekly-2' }],
  ]);
  const sfn = mockClient(SFNClient).on(ListExecutionsCommand).resolves({ executions: [{ executionArn: 'x', stateMachineArn: 'y', name: 'w', status: 'SUCCEEDED', startDate: old, stopDate: old }] });
  const recorder = new CallRecorder().watch(fake.rds, fake.backup, sfn);
  try {
    await withEnvironment(environmentOf(deployed, fnId), () => captureStdout(() => recorder.as(fnId, () => sweeper({}, CONTEXT))));
  } finally {
    for (const mock of [fake.rds, fake.backup, sfn]) mock.restore();
  }
  if (fake.instances.has('shipshape-drill-weekly-2') || fake.instances.has('shipshape-drill-weekly-1-db')) throw new Error('the sweeper scenario left drill copies behind');
  return { calls: withResourceTags(recorder.calls, initial, arnIn).calls, keys: new Map() };
}

/** The login every database secret of these scenarios holds. */
const LOGIN = JSON.stringify({ host: 'db.internal', port: 5432, username: 'dbadmin', password: 'p', dbname: 'app', engine: 'postgres' });

/** The heartbeat reads the master secret from its environment and writes (to a fake `pg`). */
export async function heartbeatScenarios(deployed: RuntimeTemplate, fnId: string): Promise<Recorded> {
  const secrets = mockClient(SecretsManagerClient).on(GetSecretValueCommand).resolves({ SecretString: LOGIN });
  const recorder = new CallRecorder().watch(secrets);
  try {
    await withEnvironment(environmentOf(deployed, fnId), () => recorder.as(fnId, () => heartbeat({}, CONTEXT)));
  } finally {
    secrets.restore();
  }
  return { calls: withResourceTags(recorder.calls, new Map(), arnIn).calls, keys: new Map() };
}

/** The custom resources whose provider relays to `fnId`, with their properties as deployed. */
function customResourcesOf(deployed: RuntimeTemplate, fnId: string): Array<Record<string, Json>> {
  const fnArn = deployed.getAtt(fnId, 'Arn');
  const relays = deployed.idsOf('AWS::Lambda::Function').filter((id) => environmentOf(deployed, id).USER_ON_EVENT_FUNCTION_ARN === fnArn);
  const found = Object.values(deployed.template.Resources)
    .filter((r) => r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource')
    .filter((r) => relays.some((relay) => deployed.resolveString(r.Properties?.ServiceToken) === deployed.getAtt(relay, 'Arn')))
    .map((r) => deployed.resolve(r.Properties) as Record<string, Json>);
  if (found.length === 0) throw new Error(`no custom resource of the template is served by ${fnId}`);
  return found;
}

/** The database user bootstrap, for each of its custom resources: Create, Update and Delete. */
export async function bootstrapScenarios(deployed: RuntimeTemplate, fnId: string): Promise<Recorded> {
  const secrets = mockClient(SecretsManagerClient).on(GetSecretValueCommand).resolves({ SecretString: LOGIN });
  const recorder = new CallRecorder().watch(secrets);
  try {
    for (const properties of customResourcesOf(deployed, fnId)) {
      for (const RequestType of ['Create', 'Update', 'Delete'] as const) {
        const event = {
          RequestType,
          ServiceToken: properties.ServiceToken as string,
          ResponseURL: 'https://example.invalid',
          StackId: arnIn('cloudformation', `stack/${deployed.stackName}/0f1e`),
          RequestId: 'request-1',
          LogicalResourceId: 'User',
          ResourceType: 'Custom::ShipshapeDatabaseUser',
          ResourceProperties: properties,
          PhysicalResourceId: 'app@app',
          OldResourceProperties: properties,
        } as unknown as CloudFormationCustomResourceEvent;
        await recorder.as(fnId, () => bootstrapUser(event, CONTEXT));
      }
    }
  } finally {
    secrets.restore();
  }
  return { calls: withResourceTags(recorder.calls, new Map(), arnIn).calls, keys: new Map() };
}

/**
 * The smoke test hook: the load balancer's addresses from EC2 and the token from Secrets Manager;
 * once against a new revision that answers (a local server stands in for the load balancer node),
 * once when the load balancer has no address.
 */
export async function smokeTestScenarios(deployed: RuntimeTemplate, fnId: string): Promise<Recorded> {
  const environment = environmentOf(deployed, fnId);
  const secrets = mockClient(SecretsManagerClient).on(GetSecretValueCommand).resolves({ SecretString: 'token' });
  const ec2 = mockClient(EC2Client);
  const server = http.createServer((_req, res) => res.writeHead(Number(environment.EXPECTED_STATUS)).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const recorder = new CallRecorder().watch(secrets, ec2);
  const event = { executionDetails: { targetServiceRevisionArn: 'rev-2', lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' } };
  try {
    // The load balancer's node is the local server: its port, not the template's test port.
    await withEnvironment({ ...environment, TEST_PORT: String((server.address() as AddressInfo).port), RETRY_DELAY_MS: '1' }, async () => {
      ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [{ Status: 'in-use', PrivateIpAddress: '127.0.0.1' }] });
      const passed = await recorder.as(fnId, () => smokeTest(event));
      ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
      const failed = await recorder.as(fnId, () => smokeTest(event));
      if (passed.hookStatus !== 'SUCCEEDED' || failed.hookStatus !== 'FAILED') throw new Error(`smoke test scenarios: ${passed.hookStatus}, ${failed.hookStatus}`);
    });
  } finally {
    secrets.restore();
    ec2.restore();
    await new Promise((resolve) => server.close(resolve));
  }
  return { calls: withResourceTags(recorder.calls, new Map(), arnIn).calls, keys: new Map() };
}

interface ReleaseTarget {
  readonly stackName: string;
  readonly repositoryName: string;
  readonly parameters: { readonly migrate: string; readonly deploy: string };
  readonly migration?: { readonly cluster: string; readonly taskDefinitionLogicalId: string; readonly containerName: string };
}

/**
 * The release step as CodePipeline runs it: a deploy (the image tagged for the release, update, poll,
 * done), a deploy of an image already tagged and of one not in the repository, an update that runs over
 * its bound (cancelled), a migration (no stack change, the task runs and exits 0), a migration that
 * runs over its bound (stopped), and an AWS error (the job fails).
 */
export async function releaseJobScenarios(deployed: RuntimeTemplate, fnId: string): Promise<Recorded> {
  const environment = environmentOf(deployed, fnId);
  const target = JSON.parse(environment.RELEASE_TARGET) as ReleaseTarget;
  const cfn = mockClient(CloudFormationClient);
  const ecs = mockClient(ECSClient);
  const codepipeline = mockClient(CodePipelineClient);
  const ecr = mockClient(ECRClient);
  const stack = (status: StackStatus) => ({
    Stacks: [{ StackName: target.stackName, CreationTime: new Date(), StackStatus: status, Parameters: Object.values(target.parameters).filter(Boolean).map((p) => ({ ParameterKey: p, ParameterValue: ':v1' })) }],
  });
  const digest = `@sha256:${'b'.repeat(64)}`;
  const event = (kind: 'deploy' | 'migrate', progress?: unknown) => ({
    'CodePipeline.job': {
      id: 'job-1',
      data: {
        continuationToken: progress === undefined ? undefined : JSON.stringify(progress),
        actionConfiguration: { configuration: { UserParameters: JSON.stringify({ kind, version: digest, executionId: '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b' }) } },
      },
    },
  });
  const longAgo = new Date(Date.now() - 1000 * 86_400_000).toISOString();
  const recorder = new CallRecorder().watch(cfn, ecs, codepipeline, ecr);
  const run = (e: ReturnType<typeof event>) => recorder.as(fnId, () => captureStdout(() => releaseJob(e)));
  try {
    await withEnvironment(environment, async () => {
      cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
      cfn.on(UpdateStackCommand).resolves({});
      ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ repositoryName: target.repositoryName, imageDigest: digest.slice(1) }] });
      ecr.on(BatchGetImageCommand).resolves({ images: [{ imageManifest: '{}', imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' }] });
      ecr.on(PutImageCommand).resolves({});
      await run(event('deploy'));
      await run(event('deploy', { phase: 'updating', since: new Date().toISOString() }));
      ecr.on(PutImageCommand).rejects(new ImageAlreadyExistsException({ message: 'already tagged', $metadata: {} }));
      await run(event('deploy'));
      ecr.on(DescribeImagesCommand).rejects(new ImageNotFoundException({ message: 'no such image', $metadata: {} }));
      await run(event('deploy'));
      cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_IN_PROGRESS'));
      await run(event('deploy', { phase: 'updating', since: longAgo }));
      if (target.migration) {
        const migration = target.migration;
        const taskDefinition = deployed.getAtt(migration.taskDefinitionLogicalId, 'TaskDefinitionArn');
        const clusterName = migration.cluster.split('/').pop() as string;
        const taskArn = arnIn('ecs', `task/${clusterName}/0123456789abcdef`);
        cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
        cfn.on(UpdateStackCommand).rejects(new Error('No updates are to be performed.'));
        cfn.on(DescribeStackResourceCommand).resolves({ StackResourceDetail: { LogicalResourceId: migration.taskDefinitionLogicalId, PhysicalResourceId: taskDefinition, ResourceType: 'AWS::ECS::TaskDefinition', LastUpdatedTimestamp: new Date(), ResourceStatus: 'UPDATE_COMPLETE' } });
        ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn }] });
        await run(event('migrate'));
        ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn, lastStatus: 'STOPPED', containers: [{ name: migration.containerName, exitCode: 0 }] }] });
        await run(event('migrate', { phase: 'migrating', taskArn, since: new Date().toISOString() }));
        ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn, lastStatus: 'RUNNING' }] });
        await run(event('migrate', { phase: 'migrating', taskArn, since: longAgo }));
      }
      cfn.on(DescribeStacksCommand).rejects(new Error('Throttling: Rate exceeded'));
      await run(event('deploy'));
    });
  } finally {
    for (const mock of [cfn, ecs, codepipeline, ecr]) mock.restore();
  }
  return { calls: withResourceTags(recorder.calls, new Map(), arnIn).calls, keys: new Map() };
}

/**
 * The alarm rollback function: a rollback alarm goes to ALARM during a deployment (stopped with
 * rollback), again while it is rolling back (left alone), and once more when ECS refuses the stop
 * because the deployment just finished (described, then reported).
 */
export async function alarmRollbackScenarios(deployed: RuntimeTemplate, fnId: string): Promise<Recorded> {
  const environment = environmentOf(deployed, fnId);
  const serviceArn = environment.SERVICE_ARN;
  const [, clusterName, serviceName] = serviceArn.split(':').pop()?.split('/') ?? [];
  const deployment = arnIn('ecs', `service-deployment/${clusterName}/${serviceName}/AbCdEf0123456789`);
  const ecs = mockClient(ECSClient);
  const recorder = new CallRecorder().watch(ecs);
  const alarm = (at: string) => ({ id: 'event-1', source: 'aws.cloudwatch', time: at, detail: { alarmName: 'release-5xx-rate', state: { value: 'ALARM', timestamp: at } } });
  const running = { serviceDeploymentArn: deployment, serviceArn, status: 'IN_PROGRESS' as const, createdAt: new Date('2026-11-26T10:00:00Z') };
  try {
    await withEnvironment(environment, () =>
      captureStdout(async () => {
        ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [running] });
        ecs.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: deployment });
        await recorder.as(fnId, () => alarmRollback(alarm('2026-11-26T10:05:00Z'), CONTEXT));
        ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ ...running, status: 'ROLLBACK_IN_PROGRESS' }] });
        await recorder.as(fnId, () => alarmRollback(alarm('2026-11-26T10:06:00Z'), CONTEXT));
        ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [running] });
        ecs.on(StopServiceDeploymentCommand).rejects(new Error('InvalidParameterException: the deployment is not in progress'));
        ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: deployment, status: 'SUCCESSFUL' }] });
        await recorder.as(fnId, () => alarmRollback(alarm('2026-11-26T10:07:00Z'), CONTEXT));
      }),
    );
  } finally {
    ecs.restore();
  }
  return { calls: withResourceTags(recorder.calls, new Map(), arnIn).calls, keys: new Map() };
}

/** The custom resources whose Provider framework calls `fnId` as its `role` handler, with their properties as deployed. */
function customResourcesCalling(deployed: RuntimeTemplate, fnId: string, role: 'USER_ON_EVENT_FUNCTION_ARN' | 'USER_IS_COMPLETE_FUNCTION_ARN'): Array<Record<string, Json>> {
  const fnArn = deployed.getAtt(fnId, 'Arn');
  const relays = deployed.idsOf('AWS::Lambda::Function').filter((id) => environmentOf(deployed, id)[role] === fnArn);
  // The isComplete handler is called by the waiter; the custom resource's service token is the onEvent relay beside it.
  const onEvent = relays.flatMap((relay) => {
    if (role === 'USER_ON_EVENT_FUNCTION_ARN') return [relay];
    const onEventArn = environmentOf(deployed, relay).USER_ON_EVENT_FUNCTION_ARN;
    return deployed.idsOf('AWS::Lambda::Function').filter((id) => environmentOf(deployed, id).USER_ON_EVENT_FUNCTION_ARN === onEventArn && environmentOf(deployed, id).WAITER_STATE_MACHINE_ARN);
  });
  const found = Object.values(deployed.template.Resources)
    .filter((r) => r.Type.startsWith('Custom::'))
    .filter((r) => onEvent.some((relay) => deployed.resolveString(r.Properties?.ServiceToken) === deployed.getAtt(relay, 'Arn')))
    .map((r) => deployed.resolve(r.Properties) as Record<string, Json>);
  if (found.length === 0) throw new Error(`no custom resource of the template is served by ${fnId}`);
  return found;
}

const stackId = (deployed: RuntimeTemplate) => arnIn('cloudformation', `stack/${deployed.stackName}/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`);

/** The first migration's start (onEvent): a Create that starts the task, a Create whose RunTask finds no capacity, an Update and a Delete. */
export async function firstMigrationStartScenarios(deployed: RuntimeTemplate, fnId: string): Promise<Recorded> {
  const ecs = mockClient(ECSClient);
  const recorder = new CallRecorder().watch(ecs);
  try {
    for (const properties of customResourcesCalling(deployed, fnId, 'USER_ON_EVENT_FUNCTION_ARN')) {
      const family = properties.TaskDefinitionFamily as string;
      const taskDefinitionId = deployed.idsOf('AWS::ECS::TaskDefinition').find((id) => deployed.resolveString(deployed.resource(id).Properties?.Family) === family);
      if (!taskDefinitionId) throw new Error(`no task definition of the template has the family ${family}`);
      const clusterName = (properties.Cluster as string).split('/').pop() as string;
      ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: deployed.getAtt(taskDefinitionId, 'TaskDefinitionArn') } });
      ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: arnIn('ecs', `task/${clusterName}/0123456789abcdef`) }] });
      const event = (RequestType: string) => ({ RequestType, RequestId: 'request-1', StackId: stackId(deployed), PhysicalResourceId: RequestType === 'Create' ? undefined : 'task', ResourceProperties: properties });
      await captureStdout(async () => {
        await recorder.as(fnId, () => firstMigrationStart(event('Create') as never));
        ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:ENI' }] });
        await recorder.as(fnId, () => firstMigrationStart(event('Create') as never)).catch(() => undefined);
        await recorder.as(fnId, () => firstMigrationStart(event('Update') as never));
        await recorder.as(fnId, () => firstMigrationStart(event('Delete') as never));
      });
    }
  } finally {
    ecs.restore();
  }
  return { calls: withResourceTags(recorder.calls, new Map(), arnIn).calls, keys: new Map() };
}

/** The first migration's wait (isComplete): running, exited 0, exited 1, and over its timeout (stopped). */
export async function firstMigrationWaitScenarios(deployed: RuntimeTemplate, fnId: string): Promise<Recorded> {
  const ecs = mockClient(ECSClient);
  const recorder = new CallRecorder().watch(ecs);
  try {
    for (const properties of customResourcesCalling(deployed, fnId, 'USER_IS_COMPLETE_FUNCTION_ARN')) {
      const clusterName = (properties.Cluster as string).split('/').pop() as string;
      const taskArn = arnIn('ecs', `task/${clusterName}/0123456789abcdef`);
      const check = (since: Date) => ({
        RequestType: 'Create',
        RequestId: 'request-1',
        StackId: stackId(deployed),
        PhysicalResourceId: taskArn,
        ResourceProperties: properties,
        Data: { TaskArn: taskArn, StartedAt: since.toISOString() },
      });
      const container = properties.ContainerName as string;
      ecs.on(StopTaskCommand).resolves({});
      await captureStdout(async () => {
        ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn, lastStatus: 'RUNNING' }] });
        await recorder.as(fnId, () => firstMigrationWait(check(new Date()) as never));
        await recorder.as(fnId, () => firstMigrationWait(check(new Date(Date.now() - 86_400_000)) as never)).catch(() => undefined);
        ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn, lastStatus: 'STOPPED', containers: [{ name: container, exitCode: 1 }] }] });
        await recorder.as(fnId, () => firstMigrationWait(check(new Date()) as never)).catch(() => undefined);
        ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn, lastStatus: 'STOPPED', containers: [{ name: container, exitCode: 0 }] }] });
        await recorder.as(fnId, () => firstMigrationWait(check(new Date()) as never));
      });
    }
  } finally {
    ecs.restore();
  }
  return { calls: withResourceTags(recorder.calls, new Map(), arnIn).calls, keys: new Map() };
}

/**
 * The deployment guard, for an update of the service's definition: refused while a deployment of the
 * cluster's service is in progress, passed when none is, passed without a look while the stack rolls back.
 */
export async function deploymentGuardScenarios(deployed: RuntimeTemplate, fnId: string): Promise<Recorded> {
  const cfn = mockClient(CloudFormationClient);
  const ecs = mockClient(ECSClient);
  const recorder = new CallRecorder().watch(cfn, ecs);
  const stack = (status: StackStatus) => ({ Stacks: [{ StackName: deployed.stackName, StackStatus: status, CreationTime: new Date() }] });
  try {
    for (const properties of customResourcesCalling(deployed, fnId, 'USER_ON_EVENT_FUNCTION_ARN')) {
      const clusterName = (properties.Cluster as string).split('/').pop() as string;
      const serviceArn = arnIn('ecs', `service/${clusterName}/web-Service1A2B3C`);
      const event = (RequestType: string) => ({ RequestType, RequestId: 'request-1', StackId: stackId(deployed), PhysicalResourceId: 'shipshape-deployment-guard', ResourceProperties: properties });
      ecs.on(ListServicesCommand).resolves({ serviceArns: [serviceArn] });
      await captureStdout(async () => {
        cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_IN_PROGRESS'));
        ecs.on(ListServiceDeploymentsCommand).resolves({
          serviceDeployments: [{ serviceDeploymentArn: arnIn('ecs', `service-deployment/${clusterName}/web-Service1A2B3C/AbCdEf`), serviceArn, status: 'IN_PROGRESS', createdAt: new Date() }],
        });
        await recorder.as(fnId, () => deploymentGuard(event('Update') as never)).catch(() => undefined);
        ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
        await recorder.as(fnId, () => deploymentGuard(event('Update') as never));
        cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_ROLLBACK_IN_PROGRESS'));
        await recorder.as(fnId, () => deploymentGuard(event('Update') as never));
        await recorder.as(fnId, () => deploymentGuard(event('Create') as never));
      });
    }
  } finally {
    for (const mock of [cfn, ecs]) mock.restore();
  }
  return { calls: withResourceTags(recorder.calls, new Map(), arnIn).calls, keys: new Map() };
}

/** The scenarios of each handler the kit ships, by its entry file; a handler missing here fails the contract. */
export const HANDLER_SCENARIOS: Record<string, ((deployed: RuntimeTemplate, fnId: string) => Promise<Recorded>) | typeof RUN_BY_THE_DRILL> = {
  'drill-steps.lambda.ts': drillScenarios,
  'validate.lambda.ts': RUN_BY_THE_DRILL,
  'sweeper.lambda.ts': sweeperScenarios,
  'heartbeat.lambda.ts': heartbeatScenarios,
  'bootstrap-user.lambda.ts': bootstrapScenarios,
  'release-job.lambda.ts': releaseJobScenarios,
  'smoke-test.lambda.ts': smokeTestScenarios,
  'alarm-rollback.lambda.ts': alarmRollbackScenarios,
  'first-migration-start.lambda.ts': firstMigrationStartScenarios,
  'first-migration-wait.lambda.ts': firstMigrationWaitScenarios,
  'deployment-guard.lambda.ts': deploymentGuardScenarios,
};

export const entryName = (entry: string) => path.basename(entry);
