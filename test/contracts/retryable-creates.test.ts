import { Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ServiceAlarms } from '../../constructs/alarms';
import { DatabaseEngine, ResilientDatabase } from '../../constructs/database';
import { NatStrategy, ProductionNetwork } from '../../constructs/network';
import { RestoreDrill } from '../../constructs/restore-drill';
import { AppSecrets, AppSecretSource } from '../../constructs/secrets';
import { RedundantService } from '../../constructs/service';
import { newApp, synthReferenceApp } from '../helpers/reference-app';

/*
 * Contract: a first deploy that fails can be retried by deploying again. When a create fails,
 * CloudFormation rolls it back and deletes what it made, except what a DeletionPolicy keeps:
 * `Retain` keeps the resource, a retained resource with a fixed name makes the retry fail with
 * "already exists", and any other is an orphan. `RetainExceptOnCreate`
 * (RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE) keeps data on every other stack operation and deletes
 * the resource when the create that made it rolls back.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
 */

interface Resource {
  readonly Type: string;
  readonly DeletionPolicy?: string;
  readonly Properties?: Record<string, unknown>;
}
type Resources = Record<string, Resource>;

/**
 * What a rolled-back create deletes. Snapshot deletes too, after taking a snapshot; the exception
 * is a database with deletion protection on, whose delete fails: the rollback then ends in
 * ROLLBACK_FAILED, which needs the manual recovery the README describes.
 */
const DELETED_BY_FAILED_CREATE: ReadonlyArray<string | undefined> = [undefined, 'Delete', 'RetainExceptOnCreate', 'Snapshot'];

/** Resources that a failed create leaves behind. */
function keptByFailedCreate(resources: Resources): string[] {
  return Object.entries(resources)
    .filter(([, r]) => !DELETED_BY_FAILED_CREATE.includes(r.DeletionPolicy))
    .map(([id, r]) => `${id} (${r.Type}, DeletionPolicy ${r.DeletionPolicy})`);
}

interface NamedResource {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly deletionPolicy?: string;
}

/** Resources whose physical name is fixed in the template: a literal `*Name` or `*Identifier` property. */
function fixedNames(resources: Resources): NamedResource[] {
  return Object.entries(resources).flatMap(([id, r]) =>
    Object.entries(r.Properties ?? {})
      .filter(([key, value]) => /(Name|Identifier)$/.test(key) && typeof value === 'string')
      .map(([key, value]) => ({ id, type: r.Type, name: `${key}=${value as string}`, deletionPolicy: r.DeletionPolicy })),
  );
}

/** Every stack: nothing is kept by a failed create, least of all a resource with a fixed name. */
function expectRetryable(templates: Record<string, Resources>): void {
  const none = Object.fromEntries(Object.keys(templates).map((stack) => [stack, []]));
  const perStack = <T>(of: (resources: Resources) => T[]) => Object.fromEntries(Object.entries(templates).map(([stack, resources]) => [stack, of(resources)]));
  expect({ namedAndKept: perStack((resources) => fixedNames(resources).filter((r) => !DELETED_BY_FAILED_CREATE.includes(r.deletionPolicy))) }).toEqual({ namedAndKept: none });
  expect({ keptByFailedCreate: perStack(keptByFailedCreate) }).toEqual({ keptByFailedCreate: none });
}

function resourcesOf(template: { toJSON(): Record<string, unknown> }): Resources {
  return template.toJSON().Resources as Resources;
}

const SYNTH_TIMEOUT = 240_000;

describe.each([
  ['production profile', {}],
  ['budget profile', { 'shipshape.profile': 'budget' }],
  [
    'every optional part on',
    {
      'shipshape.service': { image: { repository: 'shop', tag: 'v1' } },
      'shipshape.pipeline': { source: { kind: 'ecr', tag: 'release' }, migrationCommand: ['npm', 'run', 'migrate'] },
      'shipshape.secrets': { SESSION_KEY: 'generated', PAYMENT_API_KEY: 'operator' },
      'shipshape.database.proxy': true,
      'shipshape.database.backup': { vaultLock: { minRetentionDays: 7 }, crossRegionCopy: { region: 'us-west-2', vaultName: 'dr' } },
    },
  ],
])('the reference app (%s)', (_name, context: Record<string, unknown>) => {
  let templates: Record<string, Resources>;
  beforeAll(() => {
    const app = synthReferenceApp(context);
    templates = { stateful: resourcesOf(app.statefulTemplate), stateless: resourcesOf(app.statelessTemplate) };
  }, SYNTH_TIMEOUT);

  test('a failed create deletes every resource it made: none has DeletionPolicy Retain', () => {
    expectRetryable(templates);
  });

  test('the fixed names it finds include the PostgreSQL log group and the backup vault, both deleted by a failed create', () => {
    const named = fixedNames(templates.stateful);
    const logGroup = named.find((r) => r.type === 'AWS::Logs::LogGroup' && /^LogGroupName=\/aws\/rds\/(cluster|instance)\/.+\/postgresql$/.test(r.name));
    const vault = named.find((r) => r.type === 'AWS::Backup::BackupVault' && r.name.startsWith('BackupVaultName='));
    expect(logGroup?.deletionPolicy).toBe('RetainExceptOnCreate');
    expect(vault?.deletionPolicy).toBe('RetainExceptOnCreate');
  });
});

describe('constructs composed directly, with other props', () => {
  let templates: Record<string, Resources>;
  beforeAll(() => {
    const app = newApp();
    const data = new Stack(app, 'Data', { terminationProtection: true });
    const network = new ProductionNetwork(data, 'Net', { natStrategy: NatStrategy.SINGLE, maxAzs: 3, flowLogRetention: logs.RetentionDays.ONE_WEEK });
    const database = new ResilientDatabase(data, 'Orders', {
      vpc: network.vpc,
      vpcSubnets: network.dataSubnets,
      functionSubnets: network.appSubnets,
      engine: DatabaseEngine.RDS_MULTI_AZ,
      proxy: {},
      applicationUser: { username: 'orders' },
      logRetention: logs.RetentionDays.TWO_WEEKS,
      backupPlan: { dailyRetention: Duration.days(14), vaultLock: { minRetention: Duration.days(7) } },
    });
    const secrets = new AppSecrets(data, 'Keys', { secrets: [{ name: 'PARTNER_API_KEY', source: AppSecretSource.OPERATOR }] });
    const drill = new RestoreDrill(data, 'Drill', { database, source: { mode: 'backup-vault' }, alarms: false });
    const web = new Stack(app, 'Web');
    const service = new RedundantService(web, 'Shop', {
      vpc: network.vpc,
      taskSubnets: network.appSubnets,
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'),
      desiredCount: 3,
      accessLogRetention: Duration.days(30),
      secrets: secrets.containerSecrets(),
    });
    new ServiceAlarms(web, 'Alarms', { service, database, drill });
    const assembly = app.synth();
    templates = Object.fromEntries([data, web].map((stack) => [stack.stackName, (assembly.getStackByName(stack.stackName).template as { Resources: Resources }).Resources]));
  }, SYNTH_TIMEOUT);

  test('a failed create deletes every resource it made: none has DeletionPolicy Retain', () => {
    expectRetryable(templates);
  });
});
