import {
  BackupClient,
  DescribeRestoreJobCommand,
  ListRecoveryPointsByBackupVaultCommand,
  StartRestoreJobCommand,
  type StartRestoreJobCommandInput,
} from '@aws-sdk/client-backup';
import {
  AddTagsToResourceCommand,
  CreateDBInstanceCommand,
  DBClusterNotFoundFault,
  DBInstanceNotFoundFault,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  InvalidDBClusterStateFault,
  InvalidDBInstanceStateFault,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  RestoreDBClusterFromSnapshotCommand,
  RestoreDBClusterToPointInTimeCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
  type AddTagsToResourceCommandInput,
  type CreateDBInstanceCommandInput,
  type DeleteDBClusterCommandInput,
  type DeleteDBInstanceCommandInput,
  type DescribeDBClustersCommandInput,
  type DescribeDBInstancesCommandInput,
  type ModifyDBClusterCommandInput,
  type ModifyDBInstanceCommandInput,
  type RestoreDBInstanceFromDBSnapshotCommandInput,
  type RestoreDBInstanceToPointInTimeCommandInput,
  type ServerlessV2ScalingConfiguration,
  type Tag,
} from '@aws-sdk/client-rds';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';

interface FakeResource {
  status: string;
  tags: Tag[];
  /** Describe calls left before a creating/modifying resource becomes available. */
  pending: number;
  secretArn?: string;
  /** The key RDS encrypts the managed master secret with. */
  secretKmsKeyId?: string;
  /** Aurora: the cluster's Serverless v2 capacity range. */
  capacity?: ServerlessV2ScalingConfiguration;
  members: string[];
  created: Date;
  cluster?: string;
}

/**
 * An in-memory RDS and AWS Backup behind aws-sdk-client-mock: restores create resources that
 * become available after a few describes, deletes remove them. Tests read `clusters` and
 * `instances` to prove what was left behind.
 */
export class FakeAws {
  public readonly rds = mockClient(RDSClient);
  public readonly backup = mockClient(BackupClient);
  public readonly clusters = new Map<string, FakeResource>();
  public readonly instances = new Map<string, FakeResource>();
  /** Describes before a new resource is available; Infinity = never. */
  public describesUntilAvailable = 2;
  public restoreJobStatus: 'RUNNING' | 'COMPLETED' | 'FAILED' = 'COMPLETED';
  /** The ARN of what the restore job created. */
  private restoredArn?: string;

  /** `account` and `region` go into every ARN the fake makes (a contract test uses the template's). */
  constructor(now: () => Date, account = '111111111111', region = 'eu-west-1') {
    const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;
    const nf = (kind: 'cluster' | 'instance', id: string) =>
      kind === 'cluster'
        ? new DBClusterNotFoundFault({ message: `DBCluster ${id} not found`, $metadata: {} })
        : new DBInstanceNotFoundFault({ message: `DBInstance ${id} not found`, $metadata: {} });
    const create = (tags: Tag[] | undefined): FakeResource => ({ status: 'creating', tags: tags ?? [], pending: this.describesUntilAvailable, members: [], created: now() });
    const advance = (r: FakeResource) => {
      if ((r.status === 'creating' || r.status === 'modifying') && --r.pending <= 0) r.status = 'available';
    };
    this.rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        { DBClusterSnapshotIdentifier: 'rds:db-2026-11-21', Status: 'available', SnapshotCreateTime: new Date('2026-11-21T03:10:00Z') },
        { DBClusterSnapshotIdentifier: 'rds:db-2026-11-22', Status: 'available', SnapshotCreateTime: new Date('2026-11-22T03:10:00Z') },
        { DBClusterSnapshotIdentifier: 'rds:db-2026-11-23', Status: 'creating', SnapshotCreateTime: new Date('2026-11-23T03:10:00Z') },
      ],
    });
    this.rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [{ DBSnapshotIdentifier: 'rds:db-2026-11-22', Status: 'available', SnapshotCreateTime: new Date('2026-11-22T03:10:00Z') }],
    });
    const restoreCluster = (input: { DBClusterIdentifier?: string; Tags?: Tag[]; ServerlessV2ScalingConfiguration?: ServerlessV2ScalingConfiguration }) => {
      this.clusters.set(input.DBClusterIdentifier as string, { ...create(input.Tags), capacity: input.ServerlessV2ScalingConfiguration });
      return {};
    };
    const restoreInstance = (id: string, tags?: Tag[]) => {
      this.instances.set(id, create(tags));
      return {};
    };
    this.rds.on(RestoreDBClusterFromSnapshotCommand).callsFake(restoreCluster);
    this.rds.on(RestoreDBClusterToPointInTimeCommand).callsFake(restoreCluster);
    this.rds.on(RestoreDBInstanceFromDBSnapshotCommand).callsFake((input: RestoreDBInstanceFromDBSnapshotCommandInput) => restoreInstance(input.DBInstanceIdentifier as string, input.Tags));
    this.rds.on(RestoreDBInstanceToPointInTimeCommand).callsFake((input: RestoreDBInstanceToPointInTimeCommandInput) => restoreInstance(input.TargetDBInstanceIdentifier as string, input.Tags));
    this.rds.on(CreateDBInstanceCommand).callsFake((input: CreateDBInstanceCommandInput) => {
      const cluster = this.clusters.get(input.DBClusterIdentifier as string);
      if (input.DBInstanceClass === 'db.serverless' && !cluster?.capacity) {
        // Documented requirement; the exact error code RDS returns is an assumption.
        throw Object.assign(new Error('Set the Serverless v2 scaling configuration on the cluster before creating a db.serverless instance'), {
          name: 'InvalidParameterCombination',
        });
      }
      restoreInstance(input.DBInstanceIdentifier as string, input.Tags);
      (this.instances.get(input.DBInstanceIdentifier as string) as FakeResource).cluster = input.DBClusterIdentifier;
      this.clusters.get(input.DBClusterIdentifier as string)?.members.push(input.DBInstanceIdentifier as string);
      return {};
    });
    const modify = (kind: 'cluster' | 'instance', id: string, input: ModifyDBClusterCommandInput | ModifyDBInstanceCommandInput) => {
      const r = (kind === 'cluster' ? this.clusters : this.instances).get(id);
      if (!r) throw nf(kind, id);
      if (r.status !== 'available') {
        const message = `${id} is ${r.status}, not available`;
        throw kind === 'cluster' ? new InvalidDBClusterStateFault({ message, $metadata: {} }) : new InvalidDBInstanceStateFault({ message, $metadata: {} });
      }
      r.status = 'modifying';
      r.pending = this.describesUntilAvailable;
      if ('ServerlessV2ScalingConfiguration' in input && input.ServerlessV2ScalingConfiguration) r.capacity = input.ServerlessV2ScalingConfiguration;
      if (input.ManageMasterUserPassword) {
        r.secretArn = arn('secretsmanager', `secret:rds!${id}`);
        // Without MasterUserSecretKmsKeyId, RDS encrypts the secret with the AWS managed key.
        r.secretKmsKeyId = input.MasterUserSecretKmsKeyId ?? 'alias/aws/secretsmanager';
      }
      return {};
    };
    this.rds.on(ModifyDBClusterCommand).callsFake((input: ModifyDBClusterCommandInput) => modify('cluster', input.DBClusterIdentifier as string, input));
    this.rds.on(ModifyDBInstanceCommand).callsFake((input: ModifyDBInstanceCommandInput) => modify('instance', input.DBInstanceIdentifier as string, input));
    this.rds.on(DescribeDBClustersCommand).callsFake((input: DescribeDBClustersCommandInput) => {
      const id = input.DBClusterIdentifier;
      if (id === undefined) {
        return { DBClusters: [...this.clusters].map(([cid, c]) => this.clusterView(cid, c)) };
      }
      const c = this.clusters.get(id);
      if (!c) throw nf('cluster', id);
      advance(c);
      return { DBClusters: [this.clusterView(id, c)] };
    });
    this.rds.on(DescribeDBInstancesCommand).callsFake((input: DescribeDBInstancesCommandInput) => {
      const id = input.DBInstanceIdentifier;
      if (id === undefined) return { DBInstances: [...this.instances].map(([iid, i]) => this.instanceView(iid, i)) };
      const i = this.instances.get(id);
      if (!i) throw nf('instance', id);
      advance(i);
      return { DBInstances: [this.instanceView(id, i)] };
    });
    this.rds.on(DeleteDBInstanceCommand).callsFake((input: DeleteDBInstanceCommandInput) => {
      const id = input.DBInstanceIdentifier as string;
      if (!this.instances.delete(id)) throw nf('instance', id);
      for (const c of this.clusters.values()) c.members = c.members.filter((m) => m !== id);
      return {};
    });
    this.rds.on(DeleteDBClusterCommand).callsFake((input: DeleteDBClusterCommandInput) => {
      const id = input.DBClusterIdentifier as string;
      const c = this.clusters.get(id);
      if (!c) throw nf('cluster', id);
      if (c.members.length > 0) throw new InvalidDBClusterStateFault({ message: 'Cluster has instances', $metadata: {} });
      this.clusters.delete(id);
      return {};
    });
    this.rds.on(AddTagsToResourceCommand).callsFake((input: AddTagsToResourceCommandInput) => {
      const id = (input.ResourceName as string).split(':').pop() as string;
      const r = this.clusters.get(id) ?? this.instances.get(id);
      r?.tags.push(...(input.Tags ?? []));
      return {};
    });
    this.backup.on(ListRecoveryPointsByBackupVaultCommand).resolves({
      RecoveryPoints: [
        { RecoveryPointArn: arn('rds', 'cluster-snapshot:awsbackup:job-old'), Status: 'COMPLETED', CreationDate: new Date('2026-11-21T05:00:00Z') },
        { RecoveryPointArn: arn('rds', 'cluster-snapshot:awsbackup:job-new'), Status: 'COMPLETED', CreationDate: new Date('2026-11-22T05:00:00Z') },
        { RecoveryPointArn: arn('rds', 'cluster:continuous:db'), Status: 'COMPLETED', CreationDate: new Date('2026-11-22T06:00:00Z') },
      ],
    });
    this.backup.on(StartRestoreJobCommand).callsFake((input: StartRestoreJobCommandInput) => {
      // AWS Backup restores without the drill tags: the drill adds them.
      const id = (input.Metadata?.DBClusterIdentifier ?? input.Metadata?.DBInstanceIdentifier) as string;
      const aurora = input.Metadata?.DBClusterIdentifier !== undefined;
      // Restored without a Serverless v2 capacity range (nothing in the metadata sets one).
      if (this.restoreJobStatus !== 'FAILED') (aurora ? this.clusters : this.instances).set(id, create([]));
      this.restoredArn = arn('rds', `${aurora ? 'cluster' : 'db'}:${id}`);
      return { RestoreJobId: 'restore-job-1' };
    });
    this.backup.on(DescribeRestoreJobCommand).callsFake(() => ({
      Status: this.restoreJobStatus,
      StatusMessage: this.restoreJobStatus === 'FAILED' ? 'Insufficient capacity' : undefined,
      CreatedResourceArn: this.restoreJobStatus === 'COMPLETED' ? this.restoredArn : undefined,
    }));
  }

  private clusterView(id: string, c: FakeResource) {
    return {
      DBClusterIdentifier: id,
      Status: c.status,
      TagList: c.tags,
      DBClusterMembers: c.members.map((m) => ({ DBInstanceIdentifier: m })),
      ClusterCreateTime: c.created,
      Endpoint: `${id}.cluster-abc.eu-west-1.rds.amazonaws.com`,
      Port: 5432,
      LatestRestorableTime: new Date('2026-11-23T05:55:00Z'),
      ServerlessV2ScalingConfiguration: c.capacity,
      MasterUserSecret: c.secretArn && c.status === 'available' ? { SecretArn: c.secretArn, SecretStatus: 'active', KmsKeyId: c.secretKmsKeyId } : undefined,
    };
  }

  private instanceView(id: string, i: FakeResource) {
    return {
      DBInstanceIdentifier: id,
      DBInstanceStatus: i.status,
      DBClusterIdentifier: i.cluster,
      TagList: i.tags,
      InstanceCreateTime: i.created,
      Endpoint: { Address: `${id}.abc.eu-west-1.rds.amazonaws.com`, Port: 5432 },
      LatestRestorableTime: new Date('2026-11-23T05:55:00Z'),
      MasterUserSecret: i.secretArn && i.status === 'available' ? { SecretArn: i.secretArn, SecretStatus: 'active', KmsKeyId: i.secretKmsKeyId } : undefined,
    };
  }

  /** Puts a resource in place as if it existed before the drill (e.g. the source). */
  public seedCluster(id: string, tags: Tag[], created: Date): void {
    this.clusters.set(id, { status: 'available', tags, pending: 0, members: [], created });
  }

  public seedInstance(id: string, tags: Tag[], created: Date, cluster?: string): void {
    this.instances.set(id, { status: 'available', tags, pending: 0, members: [], created, cluster });
    if (cluster) this.clusters.get(cluster)?.members.push(id);
  }
}

/**
 * The AWS a whole drill runs against, fresh for each test: an in-memory RDS and AWS Backup
 * (`fakeAws()`), and S3 and SNS that accept every report and notification.
 */
export function drillAws(now: () => Date = () => new Date()) {
  const s3 = mockClient(S3Client);
  const sns = mockClient(SNSClient);
  let fake: FakeAws | undefined;
  beforeEach(() => {
    s3.reset();
    sns.reset();
    s3.on(PutObjectCommand).resolves({});
    sns.on(PublishCommand).resolves({});
    fake = new FakeAws(now);
  });
  afterEach(() => {
    fake?.rds.restore();
    fake?.backup.restore();
  });
  return { s3, sns, fakeAws: () => fake as FakeAws };
}
