import { type App, type Environment, Tags } from 'aws-cdk-lib';
import * as path from 'node:path';
import { alarmRecipientProblems, ConfigError, type ShipshapeConfig } from './config';
import { StatefulStack, StatelessStack } from './stacks';
import { refuseDeploy } from './stacks/deploy-refusal';

export interface ReferenceApp {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/**
 * The reference application's source (`app/` of the repository), whose image `cdk deploy` builds
 * when the configuration sets no `service.image`. The installed package does not ship it.
 */
export const REFERENCE_APP_DIRECTORY = path.resolve(__dirname, '..', 'app');

export interface ReferenceAppOptions {
  /**
   * Where the reference application's Dockerfile is.
   * @default REFERENCE_APP_DIRECTORY
   */
  readonly referenceAppDirectory?: string;
}

/**
 * Builds the reference app's two stacks from a validated configuration; throws a `ConfigError` when
 * a webhook URL would be in the template. When the production profile's alarms would reach nobody,
 * both stacks synthesize (so a first `cdk synth` and `shipshape plan` work and say so) but carry a
 * template rule that makes CloudFormation refuse to deploy them. The stacks are
 * environment-agnostic unless the configuration names an account and region.
 */
export function buildReferenceApp(app: App, config: ShipshapeConfig, options: ReferenceAppOptions = {}): ReferenceApp {
  // A deploy whose alarms reach nobody never happens silently: production refuses the deploy (a rule
  // in each stack, below); budget says so at synth (StatelessStack); `shipshape plan` shows who they reach.
  const recipients = alarmRecipientProblems(config);
  const inTemplate = recipients.filter((problem) => problem.path === 'alarms.webhooks');
  if (inTemplate.length > 0) throw new ConfigError(inTemplate);
  const undeployable = recipients.filter((problem) => problem.path !== 'alarms.webhooks');
  const env: Environment | undefined = config.env;
  const name = config.appName;
  const stateful = new StatefulStack(app, `${name}-stateful`, {
    env,
    config,
    description: `shipshape ${name}: network and data (${config.profile} profile)`,
  });
  const stateless = new StatelessStack(app, `${name}-stateless`, {
    env,
    config,
    network: stateful.network,
    database: stateful.database,
    appSecrets: stateful.appSecrets,
    drill: stateful.restoreDrill,
    imageRepository: stateful.imageRepository,
    referenceAppDirectory: options.referenceAppDirectory ?? REFERENCE_APP_DIRECTORY,
    description: `shipshape ${name}: service, alarms and releases (${config.profile} profile)`,
  });
  stateless.addStackDependency(stateful, 'the service runs in the stateful stack network');
  for (const problem of undeployable) {
    for (const stack of [stateful, stateless]) refuseDeploy(stack, 'AlarmsReachSomeone', `shipshape.${problem.path}: ${problem.message}`);
  }
  for (const stack of [stateful, stateless]) {
    Tags.of(stack).add('shipshape:app', name);
    Tags.of(stack).add('shipshape:profile', config.profile);
    // Resources a capability has not tagged more precisely belong to the app as a whole.
    Tags.of(stack).add('shipshape:component', 'app', { priority: 50 });
    if (config.owner) Tags.of(stack).add('shipshape:owner', config.owner);
    for (const [key, value] of Object.entries(config.tags)) Tags.of(stack).add(key, value);
  }
  return { stateful, stateless };
}
