/** The parts of a synthesized CloudFormation template the readiness report reads. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: {
    readonly cdk_nag?: { readonly rules_to_suppress?: ReadonlyArray<{ readonly id: string; readonly reason: string }> };
    readonly [key: string]: unknown;
  };
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

/** An alarm's period in seconds: its own, or the shortest of its math alarm's metrics. */
export function alarmPeriodSeconds(alarm: CfnResource): number {
  const direct = numberProp(alarm, 'Period');
  if (direct !== undefined) return direct;
  const metrics = (alarm.Properties?.Metrics ?? []) as Array<{ Period?: number; MetricStat?: { Period?: number } }>;
  return Math.min(...metrics.map((m) => m.Period ?? m.MetricStat?.Period ?? 60));
}

/** The logical id a `Ref` or `Fn::GetAtt` points to. */
export function referencedId(value: unknown): string | undefined {
  const ref = (value as { Ref?: unknown } | undefined)?.Ref;
  if (typeof ref === 'string') return ref;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
}

/** The buckets the template's pipelines keep their artifacts in, by logical id. */
export function pipelineArtifactBuckets(template: CfnTemplate): Set<string> {
  const buckets = new Set<string>();
  for (const [, pipeline] of resourcesOf(template, 'AWS::CodePipeline::Pipeline')) {
    const stores = [pipeline.Properties?.ArtifactStore, ...((pipeline.Properties?.ArtifactStores as Array<{ ArtifactStore?: unknown }> | undefined) ?? []).map((s) => s.ArtifactStore)];
    for (const store of stores) {
      const id = referencedId((store as { Location?: unknown } | undefined)?.Location);
      if (id) buckets.add(id);
    }
  }
  return buckets;
}
