import { type AlarmReach, alarmReach, formatAlarmReach } from './alarm-reach';
import { type CostLine, estimateStack, monthlyTotal } from './cost';
import { unpricedResourceTypes } from './coverage';
import { type PackFindings, stackFindings } from './findings';
import { type FreeTierCredit, freeTierCredits } from './free-tier';
import { DEFAULT_ASSUMPTIONS, pricesFor, type UsageAssumptions } from './prices';
import { type RecoveryFigure, recoveryFigures } from './recovery';
import type { CfnTemplate } from './template';
import type { PolicyFinding } from '../policy';

/** CloudFormation's resource limit per stack. */
export const RESOURCE_LIMIT = 500;

/** Monthly targets per profile (issue #8): production at or under $200, budget under $90. */
export const COST_TARGETS: Readonly<Record<string, { readonly limitUsd: number; readonly inclusive: boolean }>> = {
  production: { limitUsd: 200, inclusive: true },
  budget: { limitUsd: 90, inclusive: false },
};

export interface StackPlan {
  readonly name: string;
  readonly resources: number;
  readonly resourceLimit: number;
  readonly findings: PackFindings[];
  readonly recovery: RecoveryFigure[];
  /** Who the stack's alarms reach; absent when it has none. */
  readonly alarmsReach?: AlarmReach;
  readonly cost: {
    readonly lines: CostLine[];
    readonly monthlyUsd: number;
    /** Resource types in the template that the price model neither prices nor lists as free: the estimate misses them. */
    readonly unpricedResourceTypes: string[];
  };
}

/** The readiness report; `schemaVersion` changes only when a field changes meaning or goes away. */
export interface PlanReport {
  readonly schemaVersion: 1;
  readonly region: string;
  readonly priceVersion: string;
  readonly profile?: string;
  readonly assumptions: UsageAssumptions;
  readonly stacks: StackPlan[];
  readonly total: {
    readonly monthlyUsd: number;
    /** The largest items over all stacks, most expensive first. */
    readonly dominant: Array<{ readonly item: string; readonly monthlyUsd: number }>;
    readonly target?: { readonly limitUsd: number; readonly met: boolean };
    /**
     * What the account's always-free allowances could cover, if nothing else in the account used
     * them. Shown beside the total, never subtracted from it.
     */
    readonly freeTier: { readonly monthlyUsd: number; readonly credits: FreeTierCredit[] };
  };
}

export interface PlanInput {
  readonly stacks: ReadonlyArray<{ readonly name: string; readonly template: CfnTemplate }>;
  readonly openFindings: readonly PolicyFinding[];
  readonly region: string;
  readonly profile?: string;
  readonly assumptions?: UsageAssumptions;
}

/** Builds the report from synthesized templates: findings, recovery figures and a priced estimate per stack. */
export function buildPlan(input: PlanInput): PlanReport {
  const prices = pricesFor(input.region);
  const assumptions = input.assumptions ?? DEFAULT_ASSUMPTIONS;
  const stacks = input.stacks.map(({ name, template }) => {
    const lines = estimateStack(template, prices, assumptions);
    return {
      name,
      resources: Object.keys(template.Resources).length,
      resourceLimit: RESOURCE_LIMIT,
      findings: stackFindings(name, template, input.openFindings),
      recovery: recoveryFigures(template),
      alarmsReach: alarmReach(template),
      cost: { lines, monthlyUsd: monthlyTotal(lines), unpricedResourceTypes: unpricedResourceTypes(template, lines) },
    };
  });
  const byItem = new Map<string, number>();
  for (const line of stacks.flatMap((s) => s.cost.lines)) byItem.set(line.item, (byItem.get(line.item) ?? 0) + line.monthlyUsd);
  const dominant = [...byItem.entries()]
    .map(([item, usd]) => ({ item, monthlyUsd: Math.round(usd * 100) / 100 }))
    .sort((a, b) => b.monthlyUsd - a.monthlyUsd)
    .slice(0, 3);
  const monthlyUsd = Math.round(stacks.reduce((sum, s) => sum + s.cost.monthlyUsd, 0) * 100) / 100;
  const goal = input.profile ? COST_TARGETS[input.profile] : undefined;
  const target = goal && { limitUsd: goal.limitUsd, met: goal.inclusive ? monthlyUsd <= goal.limitUsd : monthlyUsd < goal.limitUsd };
  const credits = freeTierCredits(stacks.flatMap((s) => s.cost.lines), prices.freeTier);
  const freeTier = { monthlyUsd: monthlyTotal(credits.map((c) => ({ item: c.allowance, monthlyUsd: c.monthlyUsd, basis: c.basis, resourceTypes: [] }))), credits };
  return { schemaVersion: 1, region: input.region, priceVersion: prices.version, profile: input.profile, assumptions, stacks, total: { monthlyUsd, dominant, target, freeTier } };
}

const usd = (n: number) => `$${n.toFixed(2)}`;
const duration = (s: number) => (s >= 86_400 ? `${+(s / 86_400).toFixed(1)} d` : s >= 3600 ? `${+(s / 3600).toFixed(1)} h` : s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`);

/** The report as a person reads it. */
export function formatPlan(report: PlanReport): string[] {
  const out: string[] = [];
  for (const stack of report.stacks) {
    out.push(`== ${stack.name}: ${stack.resources} of ${stack.resourceLimit} resources`);
    out.push('  Policy findings:');
    for (const pack of stack.findings) {
      out.push(`    ${pack.pack}: ${pack.unacknowledged.length} open, ${pack.acknowledged.length} acknowledged with a reason`);
      for (const f of pack.unacknowledged) out.push(`      OPEN ${f.rule} at ${f.constructPath}`);
    }
    if (stack.alarmsReach) out.push(formatAlarmReach(stack.alarmsReach));
    if (stack.recovery.length > 0) out.push('  Recovery:');
    for (const r of stack.recovery) out.push(`    ${r.figure}: ${duration(r.seconds)}  (${r.from})`);
    out.push(`  Monthly cost (${report.region}, prices ${report.priceVersion}): ${usd(stack.cost.monthlyUsd)}`);
    for (const line of stack.cost.lines) out.push(`    ${usd(line.monthlyUsd).padStart(9)}  ${line.item}: ${line.basis}`);
    if (stack.cost.unpricedResourceTypes.length > 0) out.push(`    NOT PRICED (unknown to the price model): ${stack.cost.unpricedResourceTypes.join(', ')}`);
  }
  out.push(`== Total: ${usd(report.total.monthlyUsd)} a month${report.profile ? ` (${report.profile} profile)` : ''}`);
  if (report.total.target) {
    out.push(`  Target: ${report.total.target.met ? 'met' : 'MISSED'} (${report.profile === 'budget' ? 'under' : 'at or under'} ${usd(report.total.target.limitUsd)})`);
  }
  out.push(`  Largest: ${report.total.dominant.map((d) => `${d.item} ${usd(d.monthlyUsd)}`).join(', ')}`);
  const { freeTier } = report.total;
  if (freeTier.credits.length > 0) {
    out.push(`  Always-free allowances could cover up to ${usd(freeTier.monthlyUsd)} of it if nothing else in the account uses them (not subtracted):`);
    for (const c of freeTier.credits) out.push(`    ${usd(c.monthlyUsd).padStart(9)}  ${c.basis}`);
  }
  out.push(`  Assumed: ${Object.entries(report.assumptions).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  out.push('  Not priced: data transfer out of AWS and between AZs, X-Ray traces, CloudTrail, the storage of images in a repository the kit does not create (see docs/cost.md).');
  return out;
}
