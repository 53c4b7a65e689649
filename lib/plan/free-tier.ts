import { type CostLine, type MeteredUnit, round } from './cost';
import type { FreeTier } from './prices';

/** What one always-free allowance could take off the estimate. */
export interface FreeTierCredit {
  readonly allowance: MeteredUnit;
  readonly monthlyUsd: number;
  readonly basis: string;
}

const LABELS: Record<MeteredUnit, string> = {
  customMetrics: 'custom metrics',
  standardAlarms: 'standard alarm metrics',
  dashboards: 'dashboards',
  logsGb: 'GB of logs',
  lambdaRequests: 'Lambda requests',
  lambdaGbSeconds: 'Lambda GB-seconds',
  stepFunctionsTransitions: 'state transitions',
  schedulerInvocations: 'scheduler invocations',
  codePipelineV2ActionMinutes: 'CodePipeline V2 action minutes',
  codeBuildSmallMinutes: 'CodeBuild general1.small minutes',
  kmsRequests: 'KMS requests',
  snsPublishes: 'SNS publishes',
  sqsRequests: 'SQS requests',
};

/**
 * The always-free allowances applied to the whole app's metered usage (they are per account, not
 * per stack): what each could cover if nothing else in the account used it. The estimate never
 * subtracts them.
 */
export function freeTierCredits(lines: readonly CostLine[], freeTier: FreeTier): FreeTierCredit[] {
  const used = new Map<MeteredUnit, { units: number; usd: number }>();
  for (const line of lines) {
    for (const [unit, m] of Object.entries(line.metered ?? {}) as Array<[MeteredUnit, { units: number; usd: number }]>) {
      const sum = used.get(unit) ?? { units: 0, usd: 0 };
      used.set(unit, { units: sum.units + m.units, usd: sum.usd + m.usd });
    }
  }
  return [...used.entries()]
    .filter(([, m]) => m.units > 0 && m.usd > 0)
    .map(([unit, m]) => {
      const allowance = freeTier[unit];
      const share = Math.min(1, allowance / m.units);
      return {
        allowance: unit,
        monthlyUsd: round(m.usd * share),
        basis: `${Math.round(Math.min(allowance, m.units) * 100) / 100} of ${Math.round(m.units * 100) / 100} ${LABELS[unit]} (${allowance} free a month)`,
      };
    })
    .filter((c) => c.monthlyUsd > 0);
}
