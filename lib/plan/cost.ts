import { computeLines } from './cost-compute';
import { dataLines } from './cost-data';
import { operationsLines } from './cost-operations';
import { prometheusLines } from './cost-prometheus';
import type { PriceTable, UsageAssumptions } from './prices';
import type { CfnTemplate } from './template';

/** What an always-free allowance is measured in; see `FreeTier`. */
export type MeteredUnit =
  | 'customMetrics'
  | 'standardAlarms'
  | 'dashboards'
  | 'logsGb'
  | 'lambdaRequests'
  | 'lambdaGbSeconds'
  | 'stepFunctionsTransitions'
  | 'schedulerInvocations'
  | 'codePipelineV2ActionMinutes'
  | 'codeBuildSmallMinutes'
  | 'kmsRequests'
  | 'snsPublishes'
  | 'sqsRequests';

/** One priced line of a stack's monthly estimate, with what it was computed from. */
export interface CostLine {
  readonly item: string;
  readonly monthlyUsd: number;
  readonly basis: string;
  /** The CloudFormation resource types this line prices. */
  readonly resourceTypes: readonly string[];
  /** Usage an always-free allowance applies to, with its share of the line: the report sums these over all stacks. */
  readonly metered?: Partial<Record<MeteredUnit, { readonly units: number; readonly usd: number }>>;
}

/** Collects a stack's lines; a line under a tenth of a cent is kept when it prices a resource type, so the type shows as priced. */
export class Lines {
  public readonly lines: CostLine[] = [];
  add(item: string, usd: number, basis: string, resourceTypes: readonly string[], metered?: CostLine['metered']): void {
    if (!(usd >= 0)) throw new Error(`cost line ${item}: ${usd} is not a price`);
    this.lines.push({ item, monthlyUsd: round(usd), basis, resourceTypes, ...(metered ? { metered } : {}) });
  }
}

export const round = (usd: number): number => Math.round(usd * 100) / 100;

/** Everything a section of the estimate reads. */
export interface EstimateInput {
  readonly template: CfnTemplate;
  readonly prices: PriceTable;
  readonly usage: UsageAssumptions;
}

/** A monthly estimate of one stack: every priced resource, and the usage assumed where a template cannot say. */
export function estimateStack(template: CfnTemplate, prices: PriceTable, usage: UsageAssumptions): CostLine[] {
  const lines = new Lines();
  const input = { template, prices, usage };
  computeLines(input, lines);
  dataLines(input, lines);
  operationsLines(input, lines);
  prometheusLines(input, lines);
  return lines.lines;
}

/** The sum of a stack's lines. */
export function monthlyTotal(lines: readonly CostLine[]): number {
  return round(lines.reduce((sum, line) => sum + line.monthlyUsd, 0));
}
