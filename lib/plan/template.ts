/** The parts of a synthesized CloudFormation template the readiness report reads. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: { readonly cdk_nag?: { readonly rules_to_suppress?: ReadonlyArray<{ readonly id: string; readonly reason: string }> } };
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { readonly Default?: unknown }>;
}

/** The resources of `type`, with their logical ids. */
export function resourcesOf(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** A property as a number, when the template holds a literal one. */
export function numberProp(resource: CfnResource | undefined, name: string): number | undefined {
  const value = resource?.Properties?.[name];
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}
