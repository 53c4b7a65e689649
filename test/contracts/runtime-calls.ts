import type { SdkCall } from './runtime-iam';

/** What aws-sdk-client-mock's `calls()` gives for each command sent (the fields used here). */
interface StubCall {
  readonly callId: number;
  readonly thisValue: unknown;
  readonly args: unknown[];
}

/** A client mock as aws-sdk-client-mock returns it (the part used here). */
export interface WatchedMock {
  calls(): object[];
}

/**
 * Records every command the watched client mocks receive, with who sent it: `as(owner, run)`
 * credits what `run` sends to `owner` (nested runs to the innermost owner), in the order sent.
 */
export class CallRecorder {
  public readonly calls: Array<Omit<SdkCall, 'tags'>> = [];
  private readonly seen = new Map<WatchedMock, number>();
  private readonly owners: string[] = [];

  public watch(...mocks: WatchedMock[]): this {
    for (const mock of mocks) this.seen.set(mock, mock.calls().length);
    return this;
  }

  public async as<T>(owner: string, run: () => Promise<T>): Promise<T> {
    this.flush();
    this.owners.push(owner);
    try {
      return await run();
    } finally {
      this.flush();
      this.owners.pop();
    }
  }

  private flush(): void {
    const fresh: StubCall[] = [];
    for (const [mock, seen] of this.seen) {
      const all = mock.calls() as StubCall[];
      fresh.push(...all.slice(seen));
      this.seen.set(mock, all.length);
    }
    if (fresh.length === 0) return;
    const owner = this.owners.at(-1);
    if (!owner) throw new Error(`${fresh.length} AWS calls made outside a recorded run`);
    for (const call of fresh.sort((a, b) => a.callId - b.callId)) {
      const command = call.args[0] as { constructor: { name: string }; input: Record<string, unknown> };
      this.calls.push({
        owner,
        client: (call.thisValue as { constructor: { name: string } }).constructor.name,
        operation: command.constructor.name.replace(/Command$/, ''),
        input: command.input,
      });
    }
  }
}

type Tags = Record<string, string>;
const tagRecord = (tags: unknown): Tags => Object.fromEntries(((tags as Array<{ Key: string; Value: string }> | undefined) ?? []).map((t) => [t.Key, t.Value]));

/**
 * The tags of RDS resources and the secrets RDS manages for them, call by call: a model of what
 * RDS does with the tags a call gives. `initial` holds what exists before the scenario (seeded
 * resources). Each call gets the tags as they were when it was made. `keys` collects the key of
 * each managed master secret (MasterUserSecretKmsKeyId).
 */
export function withResourceTags(calls: ReadonlyArray<Omit<SdkCall, 'tags'>>, initial: Map<string, Tags>, arn: (service: string, resource: string) => string): { calls: SdkCall[]; keys: Map<string, string> } {
  const tags = new Map(initial);
  const keys = new Map<string, string>();
  const out: SdkCall[] = [];
  for (const call of calls) {
    out.push({ ...call, tags: new Map([...tags].map(([k, v]) => [k, { ...v }])) });
    if (call.client !== 'RDSClient') continue;
    const input = call.input;
    const cluster = typeof input.DBClusterIdentifier === 'string' ? arn('rds', `cluster:${input.DBClusterIdentifier}`) : undefined;
    const instanceId = input.TargetDBInstanceIdentifier ?? input.DBInstanceIdentifier;
    const instance = typeof instanceId === 'string' ? arn('rds', `db:${instanceId}`) : undefined;
    switch (call.operation) {
      case 'RestoreDBClusterFromSnapshot':
      case 'RestoreDBClusterToPointInTime':
        if (cluster) tags.set(cluster, tagRecord(input.Tags));
        break;
      case 'RestoreDBInstanceFromDBSnapshot':
      case 'RestoreDBInstanceToPointInTime':
      case 'CreateDBInstance':
        if (instance) tags.set(instance, tagRecord(input.Tags));
        break;
      case 'AddTagsToResource':
        tags.set(String(input.ResourceName), { ...tags.get(String(input.ResourceName)), ...tagRecord(input.Tags) });
        break;
      case 'ModifyDBCluster':
      case 'ModifyDBInstance': {
        if (input.ManageMasterUserPassword !== true) break;
        // RDS names the secret rds!... and tags it with the resource it belongs to (the drill's fake
        // AWS names it rds!<identifier>); the validator's policy reads that tag.
        // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-secrets-manager.html
        const id = String(input.DBClusterIdentifier ?? input.DBInstanceIdentifier);
        const secret = arn('secretsmanager', `secret:rds!${id}`);
        tags.set(secret, cluster ? { 'aws:rds:primaryDBClusterArn': cluster } : { 'aws:rds:primaryDBInstanceArn': instance as string });
        if (typeof input.MasterUserSecretKmsKeyId === 'string') keys.set(secret, input.MasterUserSecretKmsKeyId);
        break;
      }
    }
  }
  return { calls: out, keys };
}
