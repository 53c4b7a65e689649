import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnResource, type CfnElement, CustomResourceProviderBase, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { IConstruct } from 'constructs';
import { DatabaseEngine, ResilientDatabase } from '../../constructs/database';
import type * as NodeFunction from '../../constructs/private/node-function';
import { NatStrategy, ProductionNetwork } from '../../constructs/network';
import { imageVersionParameter, ReleasePipeline, VersionedEcrImage } from '../../constructs/pipeline';
import { RestoreDrill } from '../../constructs/restore-drill';
import { RedundantService } from '../../constructs/service';
import { COMMANDS } from '../../lib/cli/main';
import { DRILL_OUTPUTS, SERVICE_OUTPUTS } from '../../lib/stacks/outputs';
import { type SynthesizedReferenceApp, synthReferenceApp } from '../helpers/reference-app';
import { type CliStacks, cliScenarios, imageRepositoryOf, outputsOf } from './cli-scenarios';
import { ACCOUNT, type CfnTemplate, type Json, PARTITION, REGION } from './deployed-template';
import type * as FunctionEntries from './function-entries';
import { entryOf } from './function-entries';
import { describeRefusal, evaluate, type RequestWorld, requestsOf, type SdkCall } from './runtime-iam';
import { entryName, HANDLER_SCENARIOS, type Recorded, RUN_BY_THE_DRILL } from './runtime-scenarios';
import { encryptionKeys, resourcePolicies, rolePolicies, RuntimeTemplate } from './runtime-template';

/*
 * Runtime permissions contract: every AWS SDK command a kit Lambda sends, recorded from its real
 * handler run against aws-sdk-client-mock in realistic scenarios (runtime-scenarios.ts), is allowed
 * by the role the template gives that function, as @cloud-copilot/iam-simulate evaluates it: the
 * function role's inline, attached and AWS managed policies, the key, bucket, topic and secret
 * policies of the resources the call reaches, the ARNs the call names and the tags and context
 * keys it carries (runtime-iam.ts). The CLI's side is runtime-permissions-cli.test.ts.
 */

jest.mock('../../constructs/private/node-function', () => {
  const actual = jest.requireActual<typeof NodeFunction>('../../constructs/private/node-function');
  const { recordEntry } = jest.requireActual<typeof FunctionEntries>('./function-entries');
  return {
    ...actual,
    shipshapeFunction: (...args: Parameters<typeof actual.shipshapeFunction>) => {
      const fn = actual.shipshapeFunction(...args);
      recordEntry(fn, args[2].entry);
      return fn;
    },
  };
});

jest.mock('pg', () => ({
  /** A PostgreSQL client that answers every query with one plausible row: the contract is about AWS calls. */
  Client: class {
    public connect = () => Promise.resolve();
    public end = () => Promise.resolve();
    public query = () => Promise.resolve({ rowCount: 1, rows: [{ version: 'PostgreSQL 17.9 on aarch64', found: 'orders', n: '10', newest: new Date(), beat_at: new Date() }] });
    public escapeIdentifier = (s: string) => `"${s}"`;
    public escapeLiteral = (s: string) => `'${s}'`;
  },
}));

/** A template's Lambda functions: the kit's (with their handler file) and aws-cdk-lib's own (with what they are). */
function functionsOf(stack: Stack, deployed: RuntimeTemplate): { kit: Map<string, string>; cdk: Map<string, string>; unknown: string[] } {
  const kit = new Map<string, string>();
  const cdk = new Map<string, string>();
  const byLogicalId = new Map<string, IConstruct>();
  for (const c of stack.node.findAll()) {
    if (c instanceof CfnResource && c.cfnResourceType === 'AWS::Lambda::Function') byLogicalId.set(stack.getLogicalId(c), c);
    const entry = c instanceof lambda.Function ? entryOf(c) : undefined;
    if (entry) kit.set(stack.getLogicalId(c.node.defaultChild as CfnElement), entryName(entry));
  }
  const unknown: string[] = [];
  for (const id of deployed.idsOf('AWS::Lambda::Function')) {
    if (kit.has(id)) continue;
    const construct = byLogicalId.get(id);
    const ancestors = construct?.node.scopes ?? [];
    if (ancestors.some((s) => s instanceof cr.Provider)) cdk.set(id, 'aws-cdk-lib custom resource Provider framework: relays each event to a kit handler, whose calls are recorded');
    else if (ancestors.some((s) => s instanceof CustomResourceProviderBase)) cdk.set(id, 'an aws-cdk-lib built-in custom resource provider, with the role aws-cdk-lib gives it');
    else if (ancestors.some((s) => s.node.id === 'AWS679f53fac002430cb0da5b7982bd2287'))
      cdk.set(id, 'the AwsCustomResource handler: each call it makes is written in the template next to the policy aws-cdk-lib derives from it');
    else unknown.push(id);
  }
  return { kit, cdk, unknown };
}

/** The role a function runs with. */
function roleOf(deployed: RuntimeTemplate, fnId: string): string {
  const role = deployed.resource(fnId).Properties?.Role as { 'Fn::GetAtt'?: [string, string] };
  const roleId = role['Fn::GetAtt']?.[0];
  if (!roleId) throw new Error(`${fnId}: its role is not one of the template`);
  return roleId;
}

interface ContractResult {
  /** Function logical id → its handler file, for every kit function. */
  readonly functions: Map<string, string>;
  readonly calls: SdkCall[];
  readonly requests: number;
  readonly refused: string[];
  readonly withoutScenario: string[];
}

/** Runs every kit function's scenarios and evaluates each recorded call against that function's role. */
async function checkTemplate(stack: Stack, template: CfnTemplate): Promise<ContractResult> {
  const deployed = new RuntimeTemplate(template, stack.stackName);
  const { kit, unknown } = functionsOf(stack, deployed);
  const withoutScenario = [...unknown.map((id) => `${id}: not a kit function nor one aws-cdk-lib owns`)];
  const recorded = new Map<string, Recorded>();
  for (const [fnId, entry] of kit) {
    const scenario = HANDLER_SCENARIOS[entry];
    if (!scenario) withoutScenario.push(`${fnId} runs ${entry}, which has no scenario in runtime-scenarios.ts`);
    else if (scenario !== RUN_BY_THE_DRILL) recorded.set(fnId, await scenario(deployed, fnId));
  }
  const calls = [...recorded.values()].flatMap((r) => r.calls);
  for (const fnId of kit.keys()) if (!calls.some((c) => c.owner === fnId) && HANDLER_SCENARIOS[kit.get(fnId) as string]) withoutScenario.push(`${fnId}: its scenarios recorded no call`);
  const keys = encryptionKeys(deployed);
  const taskDefinitionRoles = (arn: string) => {
    const id = deployed.idsOf('AWS::ECS::TaskDefinition').find((t) => deployed.getAtt(t, 'TaskDefinitionArn') === arn);
    if (!id) throw new Error(`no task definition of the template has the ARN ${arn}`);
    const p = deployed.resource(id).Properties ?? {};
    return [p.TaskRoleArn, p.ExecutionRoleArn].filter((r) => r !== undefined).map((r) => deployed.resolveString(r));
  };
  const policies = resourcePolicies(deployed);
  const refused: string[] = [];
  let requests = 0;
  for (const run of recorded.values()) {
    // Secrets the run created (RDS managed master secrets) are encrypted with the key the run named.
    const world: RequestWorld = { keyOf: (arn) => keys.get(arn) ?? run.keys.get(arn), rolesOfTaskDefinition: taskDefinitionRoles };
    for (const owner of new Set(run.calls.map((c) => c.owner))) {
      const roleId = roleOf(deployed, owner);
      const identity = rolePolicies(deployed, roleId);
      const principal = `arn:${PARTITION}:sts::${ACCOUNT}:assumed-role/${deployed.nameOf(roleId)}/${deployed.nameOf(owner)}`;
      const seen = new Set<string>();
      for (const call of run.calls.filter((c) => c.owner === owner)) {
        for (const request of await requestsOf(call, world)) {
          const key = JSON.stringify([request.action, request.resource, request.context]);
          if (seen.has(key)) continue;
          seen.add(key);
          requests += 1;
          const verdict = await evaluate(principal, identity, request, (arn) => policies.get(arn));
          if (verdict.result !== 'Allowed') refused.push(describeRefusal(verdict));
        }
      }
    }
  }
  return { functions: kit, calls, requests, refused, withoutScenario };
}

const operations = (result: ContractResult, entry: string) =>
  new Set(result.calls.filter((c) => result.functions.get(c.owner) === entry).map((c) => `${c.client.replace(/Client$/, '')}:${c.operation}`));

/** The reference app with a release pipeline and a migration: every handler and every CLI command has work in it. */
let app: SynthesizedReferenceApp;
beforeAll(() => {
  app = synthReferenceApp({
    'shipshape.service': { image: { repository: 'shop', tag: 'v1' } },
    'shipshape.pipeline': { source: { kind: 'ecr', tag: 'release' }, migrationCommand: ['npm', 'run', 'migrate'] },
  });
}, 240_000);

describe('runtime permissions: every AWS call a kit Lambda makes is allowed by the role the template gives it', () => {
  test('the reference app (with a release pipeline and a migration)', async () => {
    const stateful = await checkTemplate(app.stateful, app.statefulTemplate.toJSON() as CfnTemplate);
    const stateless = await checkTemplate(app.stateless, app.statelessTemplate.toJSON() as CfnTemplate);
    expect([...stateful.withoutScenario, ...stateless.withoutScenario]).toEqual([]);
    expect([...stateful.refused, ...stateless.refused]).toEqual([]);
    // The contract saw the real calls of every handler, the failure paths included.
    expect([...stateful.functions.values(), ...stateless.functions.values()].sort()).toEqual(
      expect.arrayContaining(['bootstrap-user.lambda.ts', 'drill-steps.lambda.ts', 'heartbeat.lambda.ts', 'release-job.lambda.ts', 'smoke-test.lambda.ts', 'sweeper.lambda.ts', 'validate.lambda.ts']),
    );
    expect([...operations(stateful, 'drill-steps.lambda.ts')]).toEqual(
      expect.arrayContaining(['RDS:RestoreDBClusterFromSnapshot', 'RDS:CreateDBInstance', 'RDS:ModifyDBCluster', 'RDS:DeleteDBInstance', 'RDS:DeleteDBCluster', 'S3:PutObject', 'SNS:Publish']),
    );
    expect([...operations(stateless, 'release-job.lambda.ts')]).toEqual(
      expect.arrayContaining(['CloudFormation:UpdateStack', 'CloudFormation:CancelUpdateStack', 'ECS:RunTask', 'ECS:StopTask', 'CodePipeline:PutJobFailureResult']),
    );
    expect(operations(stateful, 'validate.lambda.ts')).toEqual(new Set(['SecretsManager:GetSecretValue']));
  }, 240_000);

  test('a composed stack: RDS Multi-AZ drilled to a point in time with a heartbeat, an Aurora database drilled from its backup vault, a Git pipeline with a migration', async () => {
    const stack = new Stack(undefined, 'Composed');
    const network = new ProductionNetwork(stack, 'Net', { natStrategy: NatStrategy.SINGLE });
    const orders = new ResilientDatabase(stack, 'Orders', {
      vpc: network.vpc,
      vpcSubnets: network.dataSubnets,
      functionSubnets: network.appSubnets,
      engine: DatabaseEngine.RDS_MULTI_AZ,
      applicationUser: { username: 'orders' },
    });
    new RestoreDrill(stack, 'OrdersDrill', { database: orders, source: { mode: 'point-in-time', minutesAgo: 30 }, heartbeat: true, checks: { tables: [{ table: 'orders', minRows: 1 }] }, restoreTimeout: Duration.hours(1) });
    const ledger = new ResilientDatabase(stack, 'Ledger', { vpc: network.vpc, vpcSubnets: network.dataSubnets, functionSubnets: network.appSubnets });
    new RestoreDrill(stack, 'LedgerDrill', { database: ledger, source: { mode: 'backup-vault' }, alarms: false });
    const repository = ecr.Repository.fromRepositoryName(stack, 'Images', 'shop');
    const imageVersion = imageVersionParameter(stack, 'AppVersion', 'v7', 'app image');
    const service = new RedundantService(stack, 'Web', {
      vpc: network.vpc,
      taskSubnets: network.appSubnets,
      loadBalancerSubnets: network.publicSubnets,
      image: new VersionedEcrImage(repository, imageVersion.valueAsString),
      smokeTest: { path: '/ready', expectedStatus: 204, attempts: 2 },
    });
    new ReleasePipeline(stack, 'Ship', {
      service,
      repository,
      imageVersion,
      source: { kind: 'git', connectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/abc-123', repository: 'acme/shop', branch: 'release', testCommands: ['make test'] },
      migration: { command: ['./migrate'], user: '2000', timeout: Duration.minutes(10) },
      migrationSubnets: network.appSubnets,
    });
    const result = await checkTemplate(stack, Template.fromStack(stack).toJSON() as CfnTemplate);
    expect(result.withoutScenario).toEqual([]);
    expect(result.refused).toEqual([]);
    const entries = [...result.functions.values()];
    expect(entries.filter((e) => e === 'drill-steps.lambda.ts')).toHaveLength(2);
    expect(entries).toEqual(expect.arrayContaining(['heartbeat.lambda.ts', 'bootstrap-user.lambda.ts', 'release-job.lambda.ts', 'smoke-test.lambda.ts']));
    expect([...operations(result, 'drill-steps.lambda.ts')]).toEqual(
      expect.arrayContaining(['RDS:RestoreDBInstanceToPointInTime', 'RDS:ModifyDBInstance', 'Backup:StartRestoreJob', 'Backup:DescribeRestoreJob', 'RDS:AddTagsToResource']),
    );
  }, 240_000);
});

/** Commands that read only local files (the cloud assembly, the configuration): no AWS call to record. */
const LOCAL_COMMANDS = ['plan', 'config validate', 'config show'];

const OPERATOR_DOC = path.join(__dirname, '..', '..', 'docs', 'operator-permissions.md');

interface PolicyDocument {
  readonly Version: string;
  readonly Statement: Array<{ readonly Sid: string }>;
}

/** The policy of docs/operator-permissions.md, its placeholders filled with the deployed stacks' values. */
function operatorPolicy(stacks: CliStacks): PolicyDocument {
  const block = /```json\n([\s\S]*?)\n```/.exec(fs.readFileSync(OPERATOR_DOC, 'utf8'));
  if (!block) throw new Error('docs/operator-permissions.md has no json block');
  const stateful = outputsOf(stacks.stateful);
  const stateless = outputsOf(stacks.stateless);
  const [, clusterName, serviceName] = stateless[SERVICE_OUTPUTS.service].split(':').pop()?.split('/') ?? [];
  const values: Record<string, string> = {
    Region: REGION,
    Account: ACCOUNT,
    StatefulStack: stacks.stateful.stackName,
    StatelessStack: stacks.stateless.stackName,
    DrillStateMachineName: stateful[DRILL_OUTPUTS.stateMachine].split(':').pop() as string,
    DrillReportBucket: stateful[DRILL_OUTPUTS.reportBucket],
    ClusterName: clusterName,
    ServiceName: serviceName,
    PipelineName: stateless[SERVICE_OUTPUTS.pipeline],
    ServiceLogGroup: stateless[SERVICE_OUTPUTS.logGroup],
    // As the table says: the repository part of the ImageRepositoryUri output (the pipeline's source repository without it).
    ImageRepositoryName: stateless[SERVICE_OUTPUTS.imageRepository]?.split('/').slice(1).join('/') ?? imageRepositoryOf(stacks.stateless),
  };
  const filled = block[1].replace(/<(\w+)>/g, (_m, name: string) => {
    if (values[name] === undefined) throw new Error(`docs/operator-permissions.md: no value for <${name}>`);
    return values[name];
  });
  return JSON.parse(filled) as PolicyDocument;
}

/** The IAM requests of the CLI's recorded calls that `policy` does not allow (with the stacks' resource policies). */
async function cliRefusals(stacks: CliStacks, calls: SdkCall[], policy: PolicyDocument): Promise<{ requests: number; refused: string[] }> {
  const keys = new Map([...encryptionKeys(stacks.stateful), ...encryptionKeys(stacks.stateless)]);
  const policies = new Map([...resourcePolicies(stacks.stateful), ...resourcePolicies(stacks.stateless)]);
  const world: RequestWorld = { keyOf: (arn) => keys.get(arn), rolesOfTaskDefinition: () => [] };
  const principal = `arn:${PARTITION}:sts::${ACCOUNT}:assumed-role/operator/someone`;
  const seen = new Set<string>();
  const refused: string[] = [];
  for (const call of calls) {
    for (const request of await requestsOf(call, world)) {
      const key = JSON.stringify([request.action, request.resource, request.context]);
      if (seen.has(key)) continue;
      seen.add(key);
      const verdict = await evaluate(principal, [{ name: 'operator', policy: policy as unknown as Json }], request, (arn) => policies.get(arn));
      if (verdict.result !== 'Allowed') refused.push(describeRefusal(verdict));
    }
  }
  return { requests: seen.size, refused };
}

describe('the CLI: docs/operator-permissions.md grants what every shipshape command calls, and nothing it does not', () => {
  let stacks: CliStacks;
  let recorded: { calls: SdkCall[]; commands: Set<string> };
  beforeAll(async () => {
    stacks = {
      stateful: new RuntimeTemplate(app.statefulTemplate.toJSON() as CfnTemplate, app.stateful.stackName),
      stateless: new RuntimeTemplate(app.statelessTemplate.toJSON() as CfnTemplate, app.stateless.stackName),
    };
    recorded = await cliScenarios(stacks);
  }, 60_000);

  test('every command that calls AWS has scenarios (the others read local files only)', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(names.filter((n) => !recorded.commands.has(n) && !LOCAL_COMMANDS.includes(n))).toEqual([]);
    expect([...new Set(recorded.calls.map((c) => `${c.client.replace(/Client$/, '')}:${c.operation}`))]).toEqual(
      expect.arrayContaining(['SFN:StartExecution', 'S3:GetObject', 'ECS:StopServiceDeployment', 'CodePipeline:RollbackStage', 'CloudWatch:DescribeAlarms', 'CloudWatchLogs:FilterLogEvents']),
    );
  });

  test('every call the commands made is allowed by the documented policy', async () => {
    const { requests, refused } = await cliRefusals(stacks, recorded.calls, operatorPolicy(stacks));
    expect(refused).toEqual([]);
    expect(requests).toBeGreaterThan(15);
  });

  test('without any one of its statements, some call of some command is refused', async () => {
    const policy = operatorPolicy(stacks);
    const unused: string[] = [];
    for (const statement of policy.Statement) {
      const without = { ...policy, Statement: policy.Statement.filter((s) => s !== statement) };
      if ((await cliRefusals(stacks, recorded.calls, without)).refused.length === 0) unused.push(statement.Sid);
    }
    expect(unused).toEqual([]);
  });
});
