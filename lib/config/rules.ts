import { resolveThresholds } from '../../constructs/alarms';
import { DatabaseEngine, postgresVersions } from '../../constructs/database';
import { NatDevice, NatStrategy } from '../../constructs/network';
import { FARGATE_CPUS, fargateMemoryOptions } from '../../constructs/service/fargate-size';
import type { ServiceConfig, ShipshapeConfig } from './config';
import { RISKS, type Risk, type RawConfig } from './schema';

/** One problem of a configuration: where it is, what is wrong, what is allowed, the value given. */
export interface ConfigProblem {
  /** The dotted path in the configuration (`service.image.tag`); '' for the whole object. */
  readonly path: string;
  readonly message: string;
  /**
   * The paths whose values this rule reads: a rule across fields is not reported when one of
   * them is already reported as bad (its value was set aside for a default).
   */
  readonly involves?: readonly string[];
}

/** `shipshape.service.cpu: message`, the line a person reads. */
export function formatProblem(problem: ConfigProblem): string {
  return `shipshape${problem.path ? `.${problem.path}` : ''}: ${problem.message}`;
}

/** Keys that apply to one database engine only. */
const ENGINE_KEYS: Readonly<Record<string, DatabaseEngine>> = {
  minCapacity: DatabaseEngine.AURORA_SERVERLESS_V2,
  maxCapacity: DatabaseEngine.AURORA_SERVERLESS_V2,
  readers: DatabaseEngine.AURORA_SERVERLESS_V2,
  instanceType: DatabaseEngine.RDS_MULTI_AZ,
  allocatedStorageGiB: DatabaseEngine.RDS_MULTI_AZ,
  multiAz: DatabaseEngine.RDS_MULTI_AZ,
};

/** The rules across fields, on the configuration after defaults (`input` is what the user wrote). */
export function crossFieldProblems(config: ShipshapeConfig, input: RawConfig): ConfigProblem[] {
  const { network, service } = config;
  const problems: ConfigProblem[] = [...fargateProblems(config, input)];
  if (service.maxCount < service.desiredCount) {
    problems.push({
      path: 'service.maxCount',
      message: `must be at least desiredCount ${service.desiredCount} (got ${service.maxCount})`,
      involves: ['service.maxCount', 'service.desiredCount'],
    });
  }
  if (network.natStrategy === NatStrategy.NONE && 'uri' in service.image) {
    problems.push({
      path: 'service.image',
      message:
        `with natStrategy "none" tasks can pull only from this account's ECR (through its VPC endpoints); ` +
        `use { "repository", "tag" } instead of { "uri": "${service.image.uri}" }, or a NAT strategy`,
      involves: ['network.natStrategy', 'service.image'],
    });
  }
  if (input.network?.natInstanceType !== undefined && network.natDevice !== NatDevice.INSTANCE) {
    problems.push({
      path: 'network.natInstanceType',
      message: `applies to NAT instances only; set network.natDevice to "instance" or drop natInstanceType (got natDevice "${network.natDevice}")`,
      involves: ['network.natInstanceType', 'network.natDevice'],
    });
  }
  problems.push(...httpsProblems(service.https));
  if (input.pipeline && 'uri' in service.image) {
    problems.push({
      path: 'pipeline',
      message:
        'releases deploy images from this account\'s ECR: an image given by { "uri" } is fixed and has no pipeline; ' +
        'drop pipeline (or set it to false), or set service.image to { "repository", "tag" }, or leave service.image out for the kit\'s repository',
      involves: ['pipeline', 'service.image'],
    });
  }
  if (input.pipeline === false && input.service?.image === undefined) {
    problems.push({
      path: 'pipeline',
      message:
        'false leaves the reference application without its schema: its migration runs as the pipeline\'s task, on the first deploy too; ' +
        'keep the pipeline (pipeline.manualApproval: true holds each release for a person), or set service.image to an image of yours',
      involves: ['pipeline', 'service.image'],
    });
  }
  problems.push(...databaseProblems(config, input));
  for (const [key, value] of Object.entries(config.alarms.thresholds)) {
    try {
      resolveThresholds({ [key]: value });
    } catch (error) {
      const message = (error as Error).message.replace(/^ServiceAlarms\.thresholds\.\w+: /, '');
      problems.push({ path: `alarms.thresholds.${key}`, message, involves: [`alarms.thresholds.${key}`] });
    }
  }
  return problems;
}

function fargateProblems(config: ShipshapeConfig, input: RawConfig): ConfigProblem[] {
  const { cpu, memoryMiB } = config.service;
  const options = fargateMemoryOptions(cpu);
  if (options.length === 0 || options.includes(memoryMiB)) return [];
  const from = (key: 'cpu' | 'memoryMiB') => (input.service?.[key] === undefined ? ` (the ${config.profile} profile's)` : '');
  const cpus = FARGATE_CPUS.filter((c) => fargateMemoryOptions(c).includes(memoryMiB));
  const list = options.length <= 6 ? options.join(' | ') : `${options[0]} to ${options[options.length - 1]} in steps of ${options[1] - options[0]}`;
  return [
    {
      path: 'service.memoryMiB',
      message:
        `${memoryMiB}${from('memoryMiB')} is not a Fargate size for service.cpu ${cpu}${from('cpu')}; with cpu ${cpu} memoryMiB is one of ${list}` +
        (cpus.length > 0 ? `; or set service.cpu to ${cpus.join(' | ')} for ${memoryMiB} MiB` : ''),
      involves: ['service.cpu', 'service.memoryMiB'],
    },
  ];
}

function databaseProblems(config: ShipshapeConfig, input: RawConfig): ConfigProblem[] {
  const { database } = config;
  const problems: ConfigProblem[] = [];
  const engineFrom = input.database?.engine === undefined ? ` (the ${config.profile} profile's)` : '';
  const known = postgresVersions(database.engine);
  if (!known.includes(database.postgresVersion)) {
    const recent = known.filter((v) => Number.parseInt(v, 10) >= 15).join(', ');
    problems.push({
      path: 'database.postgresVersion',
      message:
        `${database.postgresVersion} is not a known ${database.engine} version; recent ones: ${recent}` +
        (engineFrom ? ` (database.engine ${database.engine} is the ${config.profile} profile's)` : ''),
      involves: ['database.engine', 'database.postgresVersion'],
    });
  }
  for (const [key, engine] of Object.entries(ENGINE_KEYS)) {
    const given = (input.database as Record<string, unknown> | undefined)?.[key];
    if (given !== undefined && database.engine !== engine) {
      problems.push({
        path: `database.${key}`,
        message: `applies to engine ${engine} only and is not used with engine ${database.engine}${engineFrom}: remove it, or set database.engine to ${engine} (got ${JSON.stringify(given)})`,
        involves: ['database.engine', `database.${key}`],
      });
    }
  }
  if (database.engine === DatabaseEngine.AURORA_SERVERLESS_V2) {
    for (const key of ['minCapacity', 'maxCapacity'] as const) {
      if (!Number.isInteger(database[key] * 2)) {
        problems.push({ path: `database.${key}`, message: `Serverless v2 capacity moves in steps of 0.5 ACU (got ${database[key]})`, involves: [`database.${key}`] });
      }
    }
    if (database.minCapacity > database.maxCapacity) {
      problems.push({
        path: 'database.minCapacity',
        message: `${database.minCapacity} ACUs is more than maxCapacity ${database.maxCapacity}; lower minCapacity or raise maxCapacity`,
        involves: ['database.minCapacity', 'database.maxCapacity'],
      });
    }
  }
  const { vaultLock, crossRegionCopy, dailyRetentionDays } = database.backup;
  const shortest = Math.min(dailyRetentionDays, database.backupRetentionDays);
  const retention = ['database.backupRetentionDays', 'database.backup.dailyRetentionDays', 'database.backup.vaultLock'];
  if (vaultLock && vaultLock.minRetentionDays > shortest) {
    problems.push({
      path: 'database.backup.vaultLock.minRetentionDays',
      message: `${vaultLock.minRetentionDays} is longer than the shortest backup retention (${shortest} days); backups into the locked vault would fail`,
      involves: retention,
    });
  }
  if (vaultLock?.maxRetentionDays !== undefined && vaultLock.maxRetentionDays < Math.max(dailyRetentionDays, vaultLock.minRetentionDays)) {
    problems.push({
      path: 'database.backup.vaultLock.maxRetentionDays',
      message: `${vaultLock.maxRetentionDays} is shorter than dailyRetentionDays ${dailyRetentionDays} or minRetentionDays`,
      involves: retention,
    });
  }
  if (crossRegionCopy && crossRegionCopy.region === config.env?.region) {
    problems.push({
      path: 'database.backup.crossRegionCopy.region',
      message: `${crossRegionCopy.region} is the stack's own region; a copy must survive the loss of the region, choose another`,
      involves: ['database.backup.crossRegionCopy', 'env.region'],
    });
  }
  return problems;
}

function httpsProblems(https: ServiceConfig['https']): ConfigProblem[] {
  if (!https) return [];
  const involves = ['service.https'];
  const problem = (path: string, message: string): ConfigProblem[] => [{ path: `service.https${path}`, message, involves }];
  if (!https.domainName && (https.certificateArn || https.hostedZoneId)) {
    return problem('.domainName', 'required with a certificate or hosted zone: clients check the certificate against the name they use');
  }
  if (https.domainName && !https.certificateArn && !https.hostedZoneId) {
    return problem('', `domainName ${https.domainName} needs certificateArn, or hostedZoneId + hostedZoneName to create a certificate in`);
  }
  if (Boolean(https.hostedZoneId) !== Boolean(https.hostedZoneName)) {
    return problem('', 'hostedZoneId and hostedZoneName go together (no lookup is made at synth)');
  }
  if (https.hostedZoneName && https.domainName && !`.${https.domainName}`.endsWith(`.${https.hostedZoneName}`)) {
    return problem('.domainName', `${https.domainName} is not in the hosted zone ${https.hostedZoneName}`);
  }
  return [];
}

/** The settings that make each risk, for `risksTaken` and for the paths a refusal involves. */
const RISK_SETTINGS: Readonly<Record<Risk, { readonly taken: (config: ShipshapeConfig) => boolean; readonly involves: readonly string[] }>> = {
  'single-nat-gateway': { taken: (c) => c.network.natStrategy === NatStrategy.SINGLE, involves: ['network.natStrategy'] },
  'single-task': { taken: (c) => c.service.desiredCount < 2, involves: ['service.desiredCount'] },
  'no-deletion-protection': {
    taken: (c) => !c.service.deletionProtection || !c.database.deletionProtection,
    involves: ['service.deletionProtection', 'database.deletionProtection'],
  },
  'no-database-standby': {
    taken: (c) => (c.database.engine === DatabaseEngine.AURORA_SERVERLESS_V2 ? c.database.readers === 0 : !c.database.multiAz),
    involves: ['database.engine', 'database.readers', 'database.multiAz'],
  },
  'fargate-spot': { taken: (c) => c.service.spotWeight > 0, involves: ['service.spotWeight'] },
};

/** The risks this configuration takes; the production profile needs each accepted by name. */
export function risksTaken(config: ShipshapeConfig): Risk[] {
  return (Object.keys(RISK_SETTINGS) as Risk[]).filter((risk) => RISK_SETTINGS[risk].taken(config));
}

/** The production profile's refusals: each risk taken and not accepted with a reason. */
export function unacceptedRisks(config: ShipshapeConfig): ConfigProblem[] {
  if (config.profile !== 'production') return [];
  return risksTaken(config)
    .filter((risk) => !config.acceptedRisks[risk])
    .map((risk) => ({
      path: `acceptedRisks.${risk}`,
      message:
        `the production profile refuses ${RISKS[risk]} (set by ${RISK_SETTINGS[risk].involves.join(' / ')}); ` +
        `set acceptedRisks.${risk} to the reason it is acceptable, or use profile "budget"`,
      involves: [...RISK_SETTINGS[risk].involves, 'profile', `acceptedRisks.${risk}`],
    }));
}
