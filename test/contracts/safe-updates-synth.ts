import { type App, Duration, Stack, Tags, TimeZone } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { ShipshapeConfig } from '../../lib/config';
import { buildReferenceApp } from '../../lib/reference-app';
import {
  type AlarmThresholds,
  AppSecrets,
  AppSecretSource,
  DatabaseEngine,
  NatStrategy,
  ProductionNetwork,
  RedundantService,
  ResilientDatabase,
  RestoreDrill,
  ServiceAlarms,
} from '../../constructs';
import { loadReferenceConfig, newApp } from '../helpers/reference-app';
import type { StackTemplate } from './update-safety';

/** What a team sets on the constructs it composes itself; each row of the matrix changes some of it. */
export interface ComposedOptions {
  readonly https: 'off' | 'certificate-a' | 'certificate-b' | 'hosted-zone';
  /** Tags on the stacks themselves (StackProps.tags): CloudFormation applies them to the resources. */
  readonly stackTags: Record<string, string>;
  /** Tags on every construct of the app (`Tags.of(app)`), rendered into the templates. */
  readonly tags: Record<string, string>;
  readonly thresholds: Partial<AlarmThresholds>;
  readonly emails: string[];
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly desiredCount: number;
  readonly maxCount: number;
  readonly image: string;
  readonly instanceType: string;
  readonly allocatedStorageGiB: number;
  readonly drill: { readonly hour: string; readonly weekDay: string; readonly timeZone: TimeZone };
}

export const CERTIFICATE_A = 'arn:aws:acm:eu-west-1:111122223333:certificate/aaaaaaaa-1111-2222-3333-444444444444';
export const CERTIFICATE_B = 'arn:aws:acm:eu-west-1:111122223333:certificate/bbbbbbbb-5555-6666-7777-888888888888';

/** Not the constructs' defaults: the RDS engine with a proxy, three tasks, HTTPS, a vault-sourced drill. */
export const COMPOSED_BASE: ComposedOptions = {
  https: 'certificate-a',
  stackTags: {},
  tags: {},
  thresholds: {},
  emails: ['orders-oncall@example.com'],
  cpu: 512,
  memoryLimitMiB: 1024,
  desiredCount: 3,
  maxCount: 6,
  image: 'public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine',
  instanceType: 't4g.medium',
  allocatedStorageGiB: 50,
  drill: { hour: '4', weekDay: 'TUE', timeZone: TimeZone.ETC_UTC },
};

/** An App as the tests build it (`newApp`), without construct stack traces: they do not reach the templates. */
function diffableApp(context: Record<string, unknown> = {}): App {
  return newApp({ 'aws:cdk:disable-stack-trace': true, ...context });
}

/**
 * Synthesizes without CDK's built-in CloudFormation validation (CDK_VALIDATION=false for this call): it
 * is most of the time of a synth, every other synthesizing test runs it, and the diff needs only the templates.
 */
function synthTemplates(app: App, stacks: readonly Stack[]): StackTemplate[] {
  const previous = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    const assembly = app.synth();
    return stacks.map((stack) => {
      const artifact = assembly.getStackByName(stack.stackName);
      return { stackName: stack.stackName, template: artifact.template as StackTemplate['template'], tags: artifact.tags };
    });
  } finally {
    if (previous === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = previous;
  }
}

/**
 * The reference app as the repository configures it, with `settings` (`-c shipshape.<path>` overrides)
 * on top: the validated configuration (what the app is built from) and a function that synthesizes it.
 */
export function referenceApp(settings: Record<string, unknown>): { readonly config: ShipshapeConfig; readonly synth: () => StackTemplate[] } {
  const app = diffableApp({ ...Object.fromEntries(Object.entries(settings).map(([at, value]) => [`shipshape.${at}`, value])) });
  const config = loadReferenceConfig(app);
  return {
    config,
    synth: () => {
      const { stateful, stateless } = buildReferenceApp(app, config);
      return synthTemplates(app, [stateful, stateless]);
    },
  };
}

/** Synthesizes a data stack and a web stack built from the constructs directly. */
export function synthComposed(changes: Partial<ComposedOptions>): StackTemplate[] {
  const o: ComposedOptions = { ...COMPOSED_BASE, ...changes };
  const app = diffableApp();
  const data = new Stack(app, 'Orders-Data', { tags: o.stackTags });
  const network = new ProductionNetwork(data, 'Net', { natStrategy: NatStrategy.SINGLE, maxAzs: 3, flowLogRetention: logs.RetentionDays.ONE_MONTH });
  const database = new ResilientDatabase(data, 'Orders', {
    vpc: network.vpc,
    vpcSubnets: network.dataSubnets,
    functionSubnets: network.appSubnets,
    engine: DatabaseEngine.RDS_MULTI_AZ,
    instanceType: new ec2.InstanceType(o.instanceType),
    allocatedStorageGiB: o.allocatedStorageGiB,
    proxy: {},
    applicationUser: { username: 'orders' },
    logRetention: logs.RetentionDays.TWO_WEEKS,
    backupPlan: { dailyRetention: Duration.days(14), vaultLock: { minRetention: Duration.days(7) } },
  });
  const secrets = new AppSecrets(data, 'Keys', { secrets: [{ name: 'PARTNER_API_KEY', source: AppSecretSource.OPERATOR }] });
  const drill = new RestoreDrill(data, 'Drill', {
    database,
    source: { mode: 'backup-vault' },
    schedule: { minute: '30', hour: o.drill.hour, weekDay: o.drill.weekDay },
    timeZone: o.drill.timeZone,
  });

  const web = new Stack(app, 'Orders-Web', { tags: o.stackTags });
  const zone = route53.HostedZone.fromHostedZoneAttributes(web, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
  const certificate = o.https === 'certificate-a' || o.https === 'certificate-b' ? acm.Certificate.fromCertificateArn(web, 'Certificate', o.https === 'certificate-a' ? CERTIFICATE_A : CERTIFICATE_B) : undefined;
  const service = new RedundantService(web, 'Shop', {
    vpc: network.vpc,
    taskSubnets: network.appSubnets,
    image: ecs.ContainerImage.fromRegistry(o.image),
    containerUser: '101',
    desiredCount: o.desiredCount,
    maxCount: o.maxCount,
    cpu: o.cpu,
    memoryLimitMiB: o.memoryLimitMiB,
    healthCheck: { path: '/' },
    bakeTime: Duration.minutes(15),
    smokeTest: { path: '/' },
    accessLogRetention: Duration.days(30),
    secrets: secrets.containerSecrets(),
    certificate,
    domainName: o.https === 'off' ? undefined : 'orders.example.com',
    hostedZone: o.https === 'hosted-zone' ? zone : undefined,
  });
  database.allowConnectionsFrom(service, 'the shop');
  new ServiceAlarms(web, 'Alarms', { service, database, drill, thresholds: o.thresholds, emails: o.emails });
  for (const [key, value] of Object.entries(o.tags)) Tags.of(app).add(key, value);

  return synthTemplates(app, [data, web]);
}
