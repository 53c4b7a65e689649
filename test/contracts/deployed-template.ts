/**
 * Just enough of CloudFormation to read a synthesized template as it is once deployed: intrinsic
 * functions resolved to the physical ids CloudFormation gives, in a fake account and region, and
 * the resources a parameter change reaches (replaced or updated, by the create-only properties AWS
 * publishes in each type's resource schema).
 */

export const PARTITION = 'aws';
export const REGION = 'eu-west-1';
export const ACCOUNT = '111122223333';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: JsonObject;
}

export interface CfnTemplate {
  readonly Parameters?: Record<string, { readonly Type: string; readonly Default?: Json }>;
  readonly Resources: Record<string, CfnResource>;
}

/** A type's create-only properties: a change to one of them replaces the resource. */
export type CreateOnlyProperties = (type: string) => readonly string[] | undefined;

export type Change = 'replace' | 'update';

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A resolved scalar as text. */
export function text(value: Json): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`expected a scalar, got ${JSON.stringify(value)}`);
}

/** The logical ids (parameters, resources, pseudo parameters) a value reads through Ref, Fn::GetAtt and Fn::Sub. */
export function referencesOf(value: Json | undefined, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencesOf(item, found);
  } else if (isObject(value)) {
    if (typeof value.Ref === 'string') found.add(value.Ref);
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') found.add(getAtt[0]);
    if (typeof getAtt === 'string') found.add(getAtt.split('.')[0]);
    const sub = value['Fn::Sub'];
    const body = Array.isArray(sub) ? sub[0] : sub;
    if (typeof body === 'string') for (const [, name] of body.matchAll(/\$\{([^}!.]+)[^}]*\}/g)) found.add(name);
    for (const child of Object.values(value)) referencesOf(child, found);
  }
  return found;
}

/**
 * The resources CloudFormation changes when only `parameters` change: those whose properties read a
 * changed parameter or the identity of a replaced resource. A resource is replaced when one of the
 * properties that changed is create-only for its type; an in-place update keeps its identity, so
 * what reads an updated resource does not change.
 */
export function changedBy(template: CfnTemplate, parameters: readonly string[], createOnly: CreateOnlyProperties): Map<string, Change> {
  const changes = new Map<string, Change>();
  const changedIds = new Set(parameters);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (changes.has(id)) continue;
      const properties = Object.entries(resource.Properties ?? {}).filter(([, value]) => [...referencesOf(value)].some((ref) => changedIds.has(ref)));
      if (properties.length === 0) continue;
      const createOnlyPaths = createOnly(resource.Type);
      if (!createOnlyPaths) throw new Error(`${id} (${resource.Type}) changes in a release, but its resource schema is not recorded in data/cfn-handler-permissions.json`);
      const replaced = properties.some(([name]) => createOnlyPaths.includes(`/properties/${name}`));
      changes.set(id, replaced ? 'replace' : 'update');
      if (replaced) changedIds.add(id);
      grew = true;
    }
  }
  return changes;
}

/**
 * A template as deployed under the stack name `stackName`: resolves intrinsic functions to the values
 * CloudFormation would give them. Task definitions are at `revision` (a release registers the next).
 */
export class DeployedTemplate {
  constructor(
    public readonly template: CfnTemplate,
    public readonly stackName: string,
    public readonly revision = 7,
  ) {}

  public resource(id: string): CfnResource {
    const resource = this.template.Resources[id];
    if (!resource) throw new Error(`no resource ${id} in ${this.stackName}`);
    return resource;
  }

  /** The value as CloudFormation resolves it (unknown types get stable fake ids). */
  public resolve(value: Json | undefined): Json {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (!isObject(value)) return value ?? null;
    const [fn, args] = Object.entries(value)[0] ?? [];
    switch (Object.keys(value).length === 1 ? fn : undefined) {
      case 'Ref':
        return this.ref(args as string);
      case 'Fn::GetAtt': {
        const [id, attribute] = typeof args === 'string' ? args.split('.') : (args as string[]);
        return this.getAtt(id, attribute);
      }
      case 'Fn::Join': {
        const [separator, items] = args as [string, Json[]];
        return (this.resolve(items) as Json[]).flat().map(text).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = this.resolve(args) as [number | string, Json[]];
        return list[Number(index)];
      }
      case 'Fn::Split': {
        const [separator, text] = this.resolve(args) as [string, string];
        return text.split(separator);
      }
      case 'Fn::Sub': {
        const [body, variables] = (Array.isArray(args) ? args : [args, {}]) as [string, JsonObject];
        return body.replace(/\$\{([^}!]+)\}/g, (_match, name: string) => {
          if (name in variables) return text(this.resolve(variables[name]));
          const [id, attribute] = name.split('.');
          return String(attribute ? this.getAtt(id, attribute) : this.ref(id));
        });
      }
      case 'Fn::GetStackOutput': {
        const output = this.resolve(args) as { StackName: string; OutputName: string };
        return `output:${output.StackName}:${output.OutputName}`;
      }
      case 'Fn::GetAZs':
        return [`${REGION}a`, `${REGION}b`, `${REGION}c`];
      case 'Fn::ImportValue':
        return `import:${text(this.resolve(args))}`;
      case 'Fn::Base64':
        return this.resolve(args);
      default:
        if (fn?.startsWith('Fn::') || fn === 'Condition') throw new Error(`cannot resolve ${fn}`);
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolve(item)]));
    }
  }

  public resolveString(value: Json | undefined): string {
    return text(this.resolve(value));
  }

  public ref(id: string): string {
    const pseudo: Record<string, string> = {
      'AWS::Partition': PARTITION,
      'AWS::Region': REGION,
      'AWS::AccountId': ACCOUNT,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': this.stackName,
    };
    if (pseudo[id]) return pseudo[id];
    const parameter = this.template.Parameters?.[id];
    if (parameter) return text(parameter.Default ?? null);
    const resource = this.resource(id);
    switch (resource.Type) {
      case 'AWS::IAM::Role':
      case 'AWS::ECS::Cluster':
      case 'AWS::Lambda::Function':
        return this.nameOf(id);
      case 'AWS::ECS::Service':
        return this.getAtt(id, 'ServiceArn');
      case 'AWS::ECS::TaskDefinition':
        return this.getAtt(id, 'TaskDefinitionArn');
      case 'AWS::SecretsManager::Secret':
        return this.arn('secretsmanager', `secret:${id}-AbCdEf`);
      case 'AWS::SNS::Topic':
        return this.arn('sns', this.nameOf(id));
      default:
        return `${id}-physical-id`;
    }
  }

  public getAtt(id: string, attribute: string): string {
    const resource = this.resource(id);
    const properties = resource.Properties ?? {};
    switch (`${resource.Type}.${attribute}`) {
      case 'AWS::IAM::Role.Arn':
        return `arn:${PARTITION}:iam::${ACCOUNT}:role${this.resolveString(properties.Path ?? '/')}${this.nameOf(id)}`;
      case 'AWS::ECS::Cluster.Arn':
        return this.arn('ecs', `cluster/${this.nameOf(id)}`);
      case 'AWS::ECS::Service.Name':
        return this.nameOf(id);
      case 'AWS::ECS::Service.ServiceArn':
        return this.arn('ecs', `service/${this.clusterNameOf(id)}/${this.nameOf(id)}`);
      case 'AWS::ECS::TaskDefinition.TaskDefinitionArn':
        return this.arn('ecs', `task-definition/${this.familyOf(id)}:${this.revision}`);
      case 'AWS::Lambda::Function.Arn':
        return this.arn('lambda', `function:${this.nameOf(id)}`);
      case 'AWS::CloudWatch::Alarm.Arn':
        return this.arn('cloudwatch', `alarm:${this.nameOf(id)}`);
      case 'AWS::SQS::Queue.Arn':
        return this.arn('sqs', this.nameOf(id));
      case 'AWS::Events::Rule.Arn':
        return this.arn('events', `rule/${this.nameOf(id)}`);
      default:
        return `${id}.${attribute}`;
    }
  }

  /** The physical name: the explicit one, else one CloudFormation generates from the stack and logical id. */
  public nameOf(id: string): string {
    const properties = this.resource(id).Properties ?? {};
    const explicit = ['RoleName', 'ClusterName', 'ServiceName', 'FunctionName', 'TopicName', 'AlarmName', 'QueueName'].find((key) => properties[key] !== undefined);
    return explicit ? this.resolveString(properties[explicit]) : `${this.stackName}-${id}-1A2B3C4D5E6F`.slice(0, 64);
  }

  public clusterNameOf(serviceId: string): string {
    const cluster = this.resolveString(this.resource(serviceId).Properties?.Cluster ?? 'default');
    return cluster.split('/').pop() as string;
  }

  public familyOf(taskDefinitionId: string): string {
    const family = this.resource(taskDefinitionId).Properties?.Family;
    return family === undefined ? `${this.stackName}${taskDefinitionId}` : this.resolveString(family);
  }

  public withRevision(revision: number): DeployedTemplate {
    return new DeployedTemplate(this.template, this.stackName, revision);
  }

  private arn(service: string, resource: string): string {
    return `arn:${PARTITION}:${service}:${REGION}:${ACCOUNT}:${resource}`;
  }
}
