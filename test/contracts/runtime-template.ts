import managedPolicies from './data/aws-managed-policies.json';
import { ACCOUNT, DeployedTemplate, type Json, PARTITION, REGION } from './deployed-template';

/**
 * A deployed template that also resolves what the runtime reads: keys, buckets, RDS identifiers,
 * secrets behind their attachments, state machines, vaults, load balancers. Names CloudFormation
 * generates are stable fakes, as in `DeployedTemplate`.
 */
export class RuntimeTemplate extends DeployedTemplate {
  public override ref(id: string): string {
    const resource = this.template.Resources[id];
    const properties = resource?.Properties ?? {};
    const named = (key: string, generated = () => this.generatedName(id).toLowerCase()) => (properties[key] === undefined ? generated() : this.resolveString(properties[key]));
    switch (resource?.Type) {
      case 'AWS::SecretsManager::SecretTargetAttachment':
        return this.resolveString(properties.SecretId);
      case 'AWS::S3::Bucket':
        return named('BucketName');
      case 'AWS::RDS::DBCluster':
        return named('DBClusterIdentifier');
      case 'AWS::RDS::DBInstance':
        return named('DBInstanceIdentifier');
      case 'AWS::RDS::DBSubnetGroup':
        return named('DBSubnetGroupName');
      case 'AWS::KMS::Key':
        return `${id.toLowerCase()}-0000-4000-8000-000000000000`.slice(0, 36);
      case 'AWS::Backup::BackupVault':
        return named('BackupVaultName', () => this.generatedName(id));
      case 'AWS::CodePipeline::Pipeline':
        return named('Name', () => this.generatedName(id));
      case 'AWS::Logs::LogGroup':
        return named('LogGroupName', () => this.generatedName(id));
      case 'AWS::CloudWatch::Alarm':
      case 'AWS::CloudWatch::CompositeAlarm':
        return named('AlarmName', () => this.generatedName(id));
      case 'AWS::StepFunctions::StateMachine':
        return this.arnIn('states', `stateMachine:${named('StateMachineName', () => `${id}-AbCdEf123456`)}`);
      default:
        return super.ref(id);
    }
  }

  public override getAtt(id: string, attribute: string): string {
    const resource = this.template.Resources[id];
    switch (`${resource?.Type}.${attribute}`) {
      case 'AWS::KMS::Key.Arn':
        return this.arnIn('kms', `key/${this.ref(id)}`);
      case 'AWS::S3::Bucket.Arn':
        return `arn:${PARTITION}:s3:::${this.ref(id)}`;
      case 'AWS::RDS::DBCluster.DBClusterArn':
        return this.arnIn('rds', `cluster:${this.ref(id)}`);
      case 'AWS::RDS::DBInstance.DBInstanceArn':
        return this.arnIn('rds', `db:${this.ref(id)}`);
      case 'AWS::StepFunctions::StateMachine.Arn':
        return this.ref(id);
      case 'AWS::StepFunctions::StateMachine.Name':
        return this.ref(id).split(':').pop() as string;
      case 'AWS::Backup::BackupVault.BackupVaultArn':
        return this.arnIn('backup', `backup-vault:${this.ref(id)}`);
      case 'AWS::Backup::BackupVault.BackupVaultName':
        return this.ref(id);
      case 'AWS::SNS::Topic.TopicArn':
        return this.ref(id);
      case 'AWS::SNS::Topic.TopicName':
        return this.ref(id).split(':').pop() as string;
      case 'AWS::EC2::SecurityGroup.GroupId':
        return `sg-${id.toLowerCase().slice(-12)}`;
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer.LoadBalancerFullName':
        return `app/${this.generatedName(id).slice(0, 32)}/50dc6c495c0c9188`;
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer.LoadBalancerArn':
        return this.arnIn('elasticloadbalancing', `loadbalancer/${this.getAtt(id, 'LoadBalancerFullName')}`);
      default:
        return super.getAtt(id, attribute);
    }
  }

  /** The ids of the resources of `type`. */
  public idsOf(type: string): string[] {
    return Object.keys(this.template.Resources).filter((id) => this.template.Resources[id].Type === type);
  }

  public arnIn(service: string, resource: string): string {
    return `arn:${PARTITION}:${service}:${REGION}:${ACCOUNT}:${resource}`;
  }

  private generatedName(id: string): string {
    return `${this.stackName}-${id}-1A2B3C4D5E6F`.slice(0, 63);
  }
}

export interface NamedPolicy {
  readonly name: string;
  readonly policy: Json;
}

const AWS_MANAGED: Record<string, { document: unknown } | undefined> = managedPolicies.policies;

/**
 * The identity policies of a role, resolved: its inline policies, every AWS::IAM::Policy and
 * AWS::IAM::ManagedPolicy of the template attached to it, and the AWS managed policies it names
 * (their documents from data/aws-managed-policies.json). A managed policy the contract has no
 * document for fails the contract rather than being skipped.
 */
export function rolePolicies(deployed: RuntimeTemplate, roleId: string): NamedPolicy[] {
  const role = deployed.resource(roleId).Properties ?? {};
  const isThisRole = (roles: Json | undefined) => ((roles as Json[] | undefined) ?? []).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }));
  const inline = ((role.Policies ?? []) as Array<{ PolicyName: Json; PolicyDocument: Json }>).map((p) => ({ name: deployed.resolveString(p.PolicyName), policy: deployed.resolve(p.PolicyDocument) }));
  const attached = Object.entries(deployed.template.Resources)
    .filter(([, r]) => (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') && isThisRole(r.Properties?.Roles))
    .map(([id, r]) => ({ name: id, policy: deployed.resolve(r.Properties?.PolicyDocument) }));
  const managed = ((role.ManagedPolicyArns ?? []) as Json[]).map((arn) => {
    const ref = (arn as { Ref?: string }).Ref;
    if (ref && deployed.template.Resources[ref]?.Type === 'AWS::IAM::ManagedPolicy') return { name: ref, policy: deployed.resolve(deployed.resource(ref).Properties?.PolicyDocument) };
    const resolved = deployed.resolveString(arn);
    const data = AWS_MANAGED[resolved.replace(`arn:${PARTITION}:`, 'arn:aws:')];
    if (!data) throw new Error(`${roleId} attaches ${resolved}: add its document to data/aws-managed-policies.json`);
    return { name: resolved, policy: data.document as Json };
  });
  return [...inline, ...attached, ...managed];
}

/**
 * The resource policies of the template by the ARN they protect: key policies, bucket policies
 * (for the bucket and its objects), topic policies and secret resource policies.
 */
export function resourcePolicies(deployed: RuntimeTemplate): Map<string, Json> {
  const found = new Map<string, Json>();
  for (const id of deployed.idsOf('AWS::KMS::Key')) found.set(deployed.getAtt(id, 'Arn'), deployed.resolve(deployed.resource(id).Properties?.KeyPolicy));
  for (const id of deployed.idsOf('AWS::S3::BucketPolicy')) {
    const p = deployed.resource(id).Properties ?? {};
    found.set(`arn:${PARTITION}:s3:::${deployed.resolveString(p.Bucket)}`, deployed.resolve(p.PolicyDocument));
  }
  for (const id of deployed.idsOf('AWS::SNS::TopicPolicy')) {
    const p = deployed.resource(id).Properties ?? {};
    for (const topic of deployed.resolve(p.Topics) as string[]) found.set(topic, deployed.resolve(p.PolicyDocument));
  }
  for (const id of deployed.idsOf('AWS::SecretsManager::ResourcePolicy')) {
    const p = deployed.resource(id).Properties ?? {};
    found.set(deployed.resolveString(p.SecretId), deployed.resolve(p.ResourcePolicy));
  }
  return found;
}

/**
 * The customer managed key that encrypts each secret, bucket and topic of the template, by its
 * ARN (bucket: `arn:aws:s3:::name`).
 */
export function encryptionKeys(deployed: RuntimeTemplate): Map<string, string> {
  const keys = new Map<string, string>();
  const keyArn = (value: Json | undefined) => {
    if (value === undefined) return undefined;
    const key = deployed.resolveString(value);
    return key.startsWith('arn:') && key.includes(':key/') ? key : undefined;
  };
  for (const id of deployed.idsOf('AWS::SecretsManager::Secret')) {
    const key = keyArn(deployed.resource(id).Properties?.KmsKeyId);
    if (key) keys.set(deployed.ref(id), key);
  }
  for (const id of deployed.idsOf('AWS::SNS::Topic')) {
    const key = keyArn(deployed.resource(id).Properties?.KmsMasterKeyId);
    if (key) keys.set(deployed.ref(id), key);
  }
  for (const id of deployed.idsOf('AWS::S3::Bucket')) {
    const rules = (deployed.resource(id).Properties?.BucketEncryption as { ServerSideEncryptionConfiguration?: Array<{ ServerSideEncryptionByDefault?: { KMSMasterKeyID?: Json } }> } | undefined)
      ?.ServerSideEncryptionConfiguration;
    const key = keyArn(rules?.[0]?.ServerSideEncryptionByDefault?.KMSMasterKeyID);
    if (key) keys.set(deployed.getAtt(id, 'Arn'), key);
  }
  return keys;
}
