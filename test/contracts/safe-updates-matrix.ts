import { TimeZone } from 'aws-cdk-lib';
import { CERTIFICATE_A, CERTIFICATE_B, type ComposedOptions } from './safe-updates-synth';

/** One configuration change: the settings before and after. */
export interface Row<T> {
  readonly name: string;
  readonly before: T;
  readonly after: T;
  /** Stateful types the change replaces by nature (docs/safe-updates.md says so); each must really be replaced. */
  readonly replaces?: readonly string[];
  /** The change rewrites the routing ECS manages by nature (docs/safe-updates.md says so). */
  readonly rewritesEcsRouting?: true;
}

/** Settings under the `shipshape` context key, by path (as `-c shipshape.<path>=...`). */
export type Settings = Record<string, unknown>;

const HTTPS_A = { 'service.https': { certificateArn: CERTIFICATE_A, domainName: 'shop.example.com' } };
const HTTPS_B = { 'service.https': { certificateArn: CERTIFICATE_B, domainName: 'shop.example.com' } };
const HTTPS_ZONE = { 'service.https': { domainName: 'shop.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'example.com' } };
const NGINX = (tag: string) => ({ 'service.image': { uri: `public.ecr.aws/nginx/nginx-unprivileged:${tag}` } });
const SPOT_RISK = { 'fargate-spot': 'the service retries; two minutes notice is enough here' };
const ECR = (tag: string) => ({ 'service.image': { repository: 'shop', tag } });

export const REFERENCE_ROWS: ReadonlyArray<Row<Settings>> = [
  {
    name: 'no change (budget): a redeploy after AWS published a new Amazon Linux image (replaces the NAT instance by nature)',
    before: { profile: 'budget' },
    after: { profile: 'budget' },
    replaces: ['AWS::EC2::Instance'],
  },
  { name: 'HTTPS on (an ACM certificate)', before: {}, after: HTTPS_A },
  { name: 'HTTPS off', before: HTTPS_A, after: {} },
  { name: 'a new certificate', before: HTTPS_A, after: HTTPS_B },
  { name: 'HTTPS on with a certificate created in a hosted zone', before: {}, after: HTTPS_ZONE },
  { name: 'from an imported certificate to a created one', before: HTTPS_A, after: HTTPS_ZONE },
  { name: 'tags: one added', before: { tags: { 'cost-center': 'example' } }, after: { tags: { 'cost-center': 'example', team: 'payments' } } },
  { name: 'tags: a value changed', before: { tags: { 'cost-center': 'example' } }, after: { tags: { 'cost-center': 'retail' } } },
  {
    name: 'owner (the shipshape:owner tag, and the alarm email: a new subscription to confirm)',
    before: { owner: 'platform-oncall@example.com' },
    after: { owner: 'payments-oncall@example.com' },
    replaces: ['AWS::SNS::Subscription'],
  },
  { name: 'alarm thresholds', before: {}, after: { 'alarms.thresholds': { p99LatencySeconds: 2, serviceCpuPercent: 70, dbCpuPercent: 90 } } },
  { name: 'task size', before: {}, after: { 'service.cpu': 1024, 'service.memoryMiB': 2048 } },
  { name: 'desired and max counts', before: {}, after: { 'service.desiredCount': 4, 'service.maxCount': 20 } },
  { name: 'image (a registry URI)', before: NGINX('1.27-alpine'), after: NGINX('1.28-alpine') },
  { name: 'image (an ECR tag)', before: ECR('v1'), after: ECR('v2') },
  {
    name: 'release pipeline off, with a repository of yours (removes by nature the pipeline\'s artifacts and logs; their key is the service\'s, which stays)',
    before: { ...ECR('v1'), pipeline: { source: { kind: 'ecr' } } },
    after: { ...ECR('v1'), pipeline: false },
    replaces: ['AWS::S3::Bucket', 'AWS::Logs::LogGroup'],
  },
  { name: 'the tag the pipeline watches (the one tag the kit\'s repository lets move)', before: {}, after: { pipeline: { source: { kind: 'ecr', tag: 'main' } } } },
  {
    name: 'from the kit\'s repository to one of yours (the kit\'s repository leaves the stack by nature, kept with its images by its Retain policy)',
    before: {},
    after: { ...ECR('v1'), pipeline: { source: { kind: 'ecr' }, migrationCommand: ['node', 'dist/migrate.js'] } },
    replaces: ['AWS::ECR::Repository'],
  },
  { name: 'database size (Aurora capacity)', before: {}, after: { 'database.minCapacity': 1, 'database.maxCapacity': 8 } },
  { name: 'database readers', before: {}, after: { 'database.readers': 2 } },
  {
    name: 'database size (RDS instance class and storage)',
    before: { profile: 'budget' },
    after: { profile: 'budget', 'database.instanceType': 't4g.small', 'database.allocatedStorageGiB': 50 },
  },
  { name: 'backup retention', before: {}, after: { 'database.backupRetentionDays': 21, 'database.backup': { dailyRetentionDays: 60 } } },
  { name: 'drill schedule', before: {}, after: { 'drill.weekDay': 'WED', 'drill.hour': 3, 'drill.timeZone': 'Europe/Berlin' } },
  { name: 'log retention', before: {}, after: { 'database.logRetentionDays': 365, 'network.flowLogRetentionDays': 90 } },
  { name: 'Fargate Spot on', before: {}, after: { 'service.spotWeight': 2, acceptedRisks: SPOT_RISK } },
  { name: 'container port (replacing by nature: new target groups, rules rewritten)', before: {}, after: { 'service.containerPort': 9090 }, rewritesEcsRouting: true },
  { name: 'a third AZ (replacing by nature: the isolated subnets are carved again)', before: {}, after: { 'network.maxAzs': 3 }, replaces: ['AWS::EC2::Subnet'] },
  {
    name: 'database engine (replacing by nature: a new database)',
    before: {},
    after: { 'database.engine': 'rds-multi-az' },
    replaces: ['AWS::RDS::DBCluster', 'AWS::RDS::DBInstance', 'AWS::Logs::LogGroup'],
  },
];

export const COMPOSED_ROWS: ReadonlyArray<Row<Partial<ComposedOptions>>> = [
  { name: 'HTTPS on', before: { https: 'off' }, after: {} },
  { name: 'HTTPS off', before: {}, after: { https: 'off' } },
  { name: 'a new certificate', before: {}, after: { https: 'certificate-b' } },
  { name: 'from an imported certificate to one created in a hosted zone', before: {}, after: { https: 'hosted-zone' } },
  { name: 'stack-level tags', before: {}, after: { stackTags: { team: 'orders', 'cost-center': 'retail' } } },
  { name: 'tags on every construct', before: {}, after: { tags: { team: 'orders' } } },
  { name: 'alarm thresholds', before: {}, after: { thresholds: { alb5xxRatePercent: 2, dbFreeStorageGiB: 5 } } },
  { name: 'alarm emails', before: {}, after: { emails: ['orders-oncall@example.com', 'orders-lead@example.com'] } },
  { name: 'task size', before: {}, after: { cpu: 1024, memoryLimitMiB: 3072 } },
  { name: 'desired and max counts', before: {}, after: { desiredCount: 5, maxCount: 12 } },
  { name: 'image', before: {}, after: { image: 'public.ecr.aws/nginx/nginx-unprivileged:1.28-alpine' } },
  { name: 'database size', before: {}, after: { instanceType: 'r7g.large', allocatedStorageGiB: 80 } },
  { name: 'drill schedule', before: {}, after: { drill: { hour: '22', weekDay: 'SAT', timeZone: TimeZone.EUROPE_BERLIN } } },
];
