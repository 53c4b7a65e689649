import type * as logs from 'aws-cdk-lib/aws-logs';
import type { z } from 'zod';
import { NatStrategy } from '../../constructs/network';
import { PROFILE_DEFAULTS } from './profiles';
import { type Profile, RISKS, type Risk, rawConfigSchema } from './schema';

/** The reference app's configuration after validation and profile defaults. */
export interface ShipshapeConfig {
  readonly profile: Profile;
  readonly appName: string;
  readonly owner?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly env?: { readonly account?: string; readonly region?: string };
  readonly network: {
    readonly maxAzs: 2 | 3;
    readonly natStrategy: NatStrategy;
    readonly cidr: string;
    readonly availabilityZones?: readonly string[];
    readonly flowLogRetentionDays: logs.RetentionDays;
  };
  readonly acceptedRisks: Readonly<Partial<Record<Risk, string>>>;
}

/** A configuration that does not validate; `problems` has one line per bad property. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`Invalid shipshape configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates a raw `shipshape` object and applies the profile's defaults. Throws `ConfigError`. */
export function resolveConfig(raw: unknown): ShipshapeConfig {
  const parsed = rawConfigSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map(describeIssue));
  }
  const input = parsed.data;
  const profile = input.profile ?? 'production';
  const defaults = PROFILE_DEFAULTS[profile];
  const config: ShipshapeConfig = {
    profile,
    appName: input.appName ?? 'shipshape',
    owner: input.owner,
    tags: input.tags ?? {},
    env: input.env,
    network: {
      maxAzs: input.network?.maxAzs ?? defaults.network.maxAzs,
      natStrategy: input.network?.natStrategy ?? defaults.network.natStrategy,
      cidr: input.network?.cidr ?? '10.0.0.0/16',
      availabilityZones: input.network?.availabilityZones,
      flowLogRetentionDays: input.network?.flowLogRetentionDays ?? defaults.network.flowLogRetentionDays,
    },
    acceptedRisks: input.acceptedRisks ?? {},
  };
  const problems = [...crossFieldProblems(config), ...unacceptedRisks(config)];
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return config;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = ['shipshape', ...issue.path.map(String)].join('.');
  const got = issue.code === 'unrecognized_keys' || issue.input === undefined ? '' : ` (got ${JSON.stringify(issue.input)})`;
  // A bad record key carries the key's own problems inside.
  const message = issue.code === 'invalid_key' ? issue.issues.map((inner) => inner.message).join('; ') : issue.message;
  return `${path}: ${message}${got}`;
}

function crossFieldProblems(config: ShipshapeConfig): string[] {
  const azs = config.network.availabilityZones;
  if (azs && azs.length !== config.network.maxAzs) {
    return [
      `shipshape.network.availabilityZones: lists ${azs.length} zones but maxAzs is ${config.network.maxAzs}; list exactly maxAzs zones`,
    ];
  }
  return [];
}

/** The risks this configuration takes; the production profile needs each accepted by name. */
export function risksTaken(config: ShipshapeConfig): Risk[] {
  const risks: Risk[] = [];
  if (config.network.natStrategy === NatStrategy.SINGLE) risks.push('single-nat-gateway');
  return risks;
}

function unacceptedRisks(config: ShipshapeConfig): string[] {
  if (config.profile !== 'production') return [];
  return risksTaken(config)
    .filter((risk) => !config.acceptedRisks[risk])
    .map(
      (risk) =>
        `shipshape.acceptedRisks.${risk}: the production profile refuses ${RISKS[risk]}; ` +
        `set acceptedRisks.${risk} to the reason it is acceptable, or use profile "budget"`,
    );
}
