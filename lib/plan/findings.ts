import type { PolicyFinding } from '../policy';
import type { CfnTemplate } from './template';

/** The packs shipshape runs, by the prefix of their rule ids. */
const PACKS: Array<[string, string]> = [
  ['AwsSolutions-', 'AwsSolutions'],
  ['NIST.800.53.R5-', 'NIST.800.53.R5'],
];

export interface Acknowledgment {
  readonly rule: string;
  readonly reason: string;
  /** Logical ids of the resources it covers. */
  readonly resources: string[];
}

export interface PackFindings {
  readonly pack: string;
  readonly acknowledged: Acknowledgment[];
  readonly unacknowledged: PolicyFinding[];
}

function packOf(rule: string): string {
  return PACKS.find(([prefix]) => rule.startsWith(prefix))?.[1] ?? 'other';
}

/**
 * A stack's findings per pack: the acknowledgments written into its template (`Metadata.cdk_nag`,
 * each with its reason) and the open findings of the validation report whose construct is in it.
 */
export function stackFindings(stackName: string, template: CfnTemplate, open: readonly PolicyFinding[]): PackFindings[] {
  const acknowledged = new Map<string, Acknowledgment>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    for (const { id: rule, reason } of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
      const key = `${rule}\u0000${reason}`;
      const entry = acknowledged.get(key) ?? { rule, reason, resources: [] };
      entry.resources.push(id);
      acknowledged.set(key, entry);
    }
  }
  const mine = open.filter((f) => f.constructPath.startsWith(`${stackName}/`));
  const packs = new Set([...PACKS.map(([, pack]) => pack), ...mine.map((f) => f.pack)]);
  return [...packs].map((pack) => ({
    pack,
    acknowledged: [...acknowledged.values()].filter((a) => packOf(a.rule) === pack),
    unacknowledged: mine.filter((f) => f.pack === pack),
  }));
}
