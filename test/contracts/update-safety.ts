import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { type Json, referencesOf } from './deployed-template';
import { KEEPING_POLICIES, RESOURCE_TYPES, statefulType } from './stateful-resources';

/*
 * What a stack update does to each resource, read from two synthesized templates with
 * @aws-cdk/cloudformation-diff, which knows per property whether a change replaces the resource (the
 * "Update requires" of each property in the CloudFormation resource reference) and follows Ref and
 * Fn::GetAtt to a replaced resource within a template. What it cannot see is added here: a property
 * that reads a changed parameter, or an output of an earlier stack whose value changes
 * (Fn::GetStackOutput, Fn::ImportValue), gets a new value without its template text changing, and the
 * resource is replaced when that property is one whose change replaces it.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html
 */

type JsonObject = { [key: string]: Json };

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: JsonObject;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface CfnTemplate {
  readonly Parameters?: Record<string, { readonly Type?: string; readonly Default?: Json }>;
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value: Json; readonly Export?: { readonly Name: Json } }>;
}

/** A synthesized stack: its name (what other stacks' references use) and template. */
export interface StackTemplate {
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** Stack-level tags (in the cloud assembly, not the template): CloudFormation applies them to every resource that takes tags. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface ResourceChange {
  readonly stack: string;
  readonly id: string;
  readonly type: string;
  readonly change: 'add' | 'remove' | 'replace' | 'update';
  /** Why: the properties that change, or the replaced resource a property reads. */
  readonly because: string;
}

const REPLACING: readonly ResourceImpact[] = [ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE];

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What a value reads: logical ids (Ref, Fn::GetAtt, Fn::Sub), `output:<stack>/<name>` (Fn::GetStackOutput) and `export:<name>` (Fn::ImportValue). */
export function readsOf(value: Json | undefined, found = new Set<string>()): Set<string> {
  referencesOf(value, found);
  const crossStack = (v: Json | undefined): void => {
    if (Array.isArray(v)) v.forEach(crossStack);
    if (!isObject(v)) return;
    const output = v['Fn::GetStackOutput'];
    if (isObject(output)) found.add(`output:${JSON.stringify(output.StackName)}/${JSON.stringify(output.OutputName)}`);
    const imported = v['Fn::ImportValue'];
    if (imported !== undefined) found.add(`export:${JSON.stringify(imported)}`);
    Object.values(v).forEach(crossStack);
  };
  crossStack(value);
  return found;
}

const replacesCache = new Map<string, boolean>();

/** Whether a new value of `property` replaces a resource of `type`, as cloudformation-diff knows it. */
export function newValueReplaces(type: string, property: string): boolean {
  const key = `${type}.${property}`;
  let replaces = replacesCache.get(key);
  if (replaces === undefined) {
    const template = (value: string) => ({ Resources: { R: { Type: type, Properties: { [property]: value } } } });
    const impact = fullDiff(template('before'), template('after')).resources.get('R').changeImpact;
    replaces = REPLACING.includes(impact);
    replacesCache.set(key, replaces);
  }
  return replaces;
}

export interface ChangeOptions {
  /**
   * Treat the parameters CloudFormation resolves from SSM at every deploy (`AWS::SSM::Parameter::Value<...>`,
   * such as the latest Amazon Linux image) as changed: AWS publishes new values between two deploys.
   * @default false
   */
  readonly ssmValuesChange?: boolean;
}

/**
 * Every resource a stack update from `before` to `after` adds, removes, replaces or updates, stack by
 * stack in deployment order (a stack's changed outputs reach the stacks after it).
 */
export function changesBetween(before: readonly StackTemplate[], after: readonly StackTemplate[], options: ChangeOptions = {}): ResourceChange[] {
  const changes: ResourceChange[] = [];
  const changedOutputs = new Set<string>();
  for (const next of after) {
    const previous = before.find((stack) => stack.stackName === next.stackName);
    if (!previous) {
      for (const [id, resource] of Object.entries(next.template.Resources)) changes.push({ stack: next.stackName, id, type: resource.Type, change: 'add', because: 'new stack' });
      continue;
    }
    changes.push(...stackChanges(previous, next, changedOutputs, options));
  }
  for (const gone of before.filter((stack) => !after.some((next) => next.stackName === stack.stackName))) {
    for (const [id, resource] of Object.entries(gone.template.Resources)) changes.push({ stack: gone.stackName, id, type: resource.Type, change: 'remove', because: 'stack removed' });
  }
  return changes;
}

function stackChanges(before: StackTemplate, after: StackTemplate, changedOutputs: Set<string>, options: ChangeOptions): ResourceChange[] {
  const stack = after.stackName;
  const diff = fullDiff(before.template, after.template);
  const byId = new Map<string, ResourceChange>();
  diff.resources.forEachDifference((id, difference) => {
    if (difference.isAddition) {
      byId.set(id, { stack, id, type: difference.newResourceType as string, change: 'add', because: 'added' });
    } else if (difference.isRemoval) {
      byId.set(id, { stack, id, type: difference.oldResourceType as string, change: 'remove', because: 'removed' });
    } else if (difference.isDifferent) {
      const properties = Object.entries(difference.propertyUpdates).map(([name, property]) => `${name} (${property.changeImpact})`);
      const other = Object.keys(difference.otherChanges);
      byId.set(id, {
        stack,
        id,
        type: difference.newResourceType as string,
        change: REPLACING.includes(difference.changeImpact) ? 'replace' : 'update',
        because: `changes ${[...properties, ...other].join(', ')}`,
      });
    }
  });

  // Values that change without the template text changing: parameters, replaced resources, outputs read from earlier stacks.
  const changed = new Set<string>([...changedOutputs]);
  diff.parameters.forEachDifference((name) => changed.add(name));
  if (options.ssmValuesChange) {
    for (const [name, parameter] of Object.entries(after.template.Parameters ?? {})) if (parameter.Type?.startsWith('AWS::SSM::Parameter::Value')) changed.add(name);
  }
  for (const change of byId.values()) if (change.change === 'replace') changed.add(change.id);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [id, resource] of Object.entries(after.template.Resources)) {
      const known = byId.get(id);
      if (!before.template.Resources[id] || known?.change === 'replace') continue;
      for (const [property, value] of Object.entries(resource.Properties ?? {})) {
        const read = [...readsOf(value)].find((name) => changed.has(name));
        if (!read) continue;
        const replace = newValueReplaces(resource.Type, property);
        if (!replace && known) continue;
        byId.set(id, { stack, id, type: resource.Type, change: replace ? 'replace' : 'update', because: `${property} reads ${read}, which changes` });
        if (replace) changed.add(id);
        grew = true;
        break;
      }
    }
  }

  const differentOutputs = new Set<string>();
  diff.outputs.forEachDifference((name) => differentOutputs.add(name));
  for (const [name, output] of Object.entries(after.template.Outputs ?? {})) {
    if (!differentOutputs.has(name) && ![...readsOf(output.Value)].some((read) => changed.has(read))) continue;
    changedOutputs.add(`output:${JSON.stringify(stack)}/${JSON.stringify(name)}`);
    if (output.Export) changedOutputs.add(`export:${JSON.stringify(output.Export.Name)}`);
  }
  return [...byId.values()];
}

/** A change that loses state; `type` is the stateful resource's type. */
export interface Loss {
  readonly type: string;
  readonly message: string;
}

/** Each change that loses state: a stateful resource replaced, removed, or keeping its data no longer. */
export function statefulLosses(before: readonly StackTemplate[], after: readonly StackTemplate[], changes: readonly ResourceChange[]): Loss[] {
  const losses: Loss[] = [];
  for (const change of changes) {
    const state = statefulType(change.type);
    if (!state) continue;
    const at = `${change.stack}/${change.id} (${change.type})`;
    if (change.change === 'replace') losses.push({ type: change.type, message: `${at} is replaced, ${change.because}: loses ${state.loses}` });
    if (change.change === 'remove') {
      const added = changes.filter((c) => c.stack === change.stack && c.type === change.type && c.change === 'add').map((c) => c.id);
      const successor = added.length > 0 ? `; ${added.join(', ')} added in its place: a replacement under a new logical id` : '';
      losses.push({ type: change.type, message: `${at} is removed${successor}: loses ${state.loses}` });
    }
  }
  for (const stack of before) {
    const next = after.find((s) => s.stackName === stack.stackName);
    for (const [id, resource] of Object.entries(stack.template.Resources)) {
      const now = next?.template.Resources[id];
      if (!now || !statefulType(resource.Type)) continue;
      for (const policy of ['DeletionPolicy', 'UpdateReplacePolicy'] as const) {
        const was = resource[policy];
        if (was && KEEPING_POLICIES.includes(was) && now[policy] !== was) {
          losses.push({ type: resource.Type, message: `${stack.stackName}/${id} (${resource.Type}) has ${policy} ${now[policy] ?? 'Delete (none)'} instead of ${was}` });
        }
      }
    }
  }
  return losses;
}

/** What ECS native blue/green manages in a template: per service, its listener rules, their listeners and its target groups. */
export interface EcsRouting {
  readonly stack: string;
  readonly service: string;
  readonly rules: readonly string[];
  readonly listeners: readonly string[];
  readonly targetGroups: readonly string[];
}

function refOf(value: Json | undefined): string | undefined {
  return isObject(value) && typeof value.Ref === 'string' ? value.Ref : undefined;
}

/** The ECS services with an alternate target group (blue/green), read from their LoadBalancers property. */
export function ecsRouting(stacks: readonly StackTemplate[]): EcsRouting[] {
  return stacks.flatMap(({ stackName, template }) =>
    Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::ECS::Service')
      .flatMap(([service, r]) => {
        const balancers = (r.Properties?.LoadBalancers ?? []) as JsonObject[];
        const advanced = balancers.filter((lb) => isObject(lb.AdvancedConfiguration));
        if (advanced.length === 0) return [];
        const config = advanced.map((lb) => lb.AdvancedConfiguration as JsonObject);
        const rules = config.flatMap((c) => [refOf(c.ProductionListenerRule), refOf(c.TestListenerRule)]).filter((id): id is string => id !== undefined);
        const listeners = rules.map((rule) => refOf(template.Resources[rule]?.Properties?.ListenerArn)).filter((id): id is string => id !== undefined);
        const targetGroups = [...advanced.map((lb) => refOf(lb.TargetGroupArn)), ...config.map((c) => refOf(c.AlternateTargetGroupArn))].filter((id): id is string => id !== undefined);
        return [{ stack: stackName, service, rules, listeners: [...new Set(listeners)], targetGroups }];
      }),
  );
}

/**
 * Each change that fights ECS at the next deployment: ECS rewrites the weights of its listener rules'
 * forward actions and swaps the target groups' roles at every release, so a template change to one of
 * those rules resets it (aws-cdk#36649), and a replaced or renamed listener, rule or target group
 * takes the live routing with it. The service's LoadBalancers, which name them, must not change either.
 */
export function ecsRoutingConflicts(before: readonly StackTemplate[], after: readonly StackTemplate[], changes: readonly ResourceChange[]): string[] {
  const conflicts: string[] = [];
  const changeOf = (stack: string, id: string) => changes.find((c) => c.stack === stack && c.id === id);
  for (const routing of ecsRouting(before)) {
    const next = after.find((s) => s.stackName === routing.stack)?.template;
    const owned: Array<[string, string, (change: ResourceChange) => boolean]> = [
      ...routing.rules.map((id): [string, string, (change: ResourceChange) => boolean] => [id, 'listener rule ECS rewrites', () => true]),
      ...routing.listeners.map((id): [string, string, (change: ResourceChange) => boolean] => [id, 'listener of an ECS rule', (c) => c.change !== 'update']),
      ...routing.targetGroups.map((id): [string, string, (change: ResourceChange) => boolean] => [id, 'target group ECS swaps', (c) => c.change !== 'update']),
    ];
    for (const [id, role, conflicts_] of owned) {
      const change = changeOf(routing.stack, id);
      if (!next?.Resources[id]) conflicts.push(`${routing.stack}/${id} (${role}) is gone from the new template: its logical id changed or it was removed`);
      else if (change && conflicts_(change)) conflicts.push(`${routing.stack}/${id} (${role}) is ${change.change === 'replace' ? 'replaced' : 'rewritten'}: ${change.because}`);
    }
    const service = changeOf(routing.stack, routing.service);
    const balancersBefore = JSON.stringify(before.find((s) => s.stackName === routing.stack)?.template.Resources[routing.service]?.Properties?.LoadBalancers);
    const balancersAfter = JSON.stringify(next?.Resources[routing.service]?.Properties?.LoadBalancers);
    if (balancersBefore !== balancersAfter) conflicts.push(`${routing.stack}/${routing.service} (ECS service) changes its LoadBalancers, which name the routing ECS manages`);
    else if (service?.change === 'replace' || service?.change === 'remove') conflicts.push(`${routing.stack}/${routing.service} (ECS service) is ${service.change === 'replace' ? 'replaced' : 'removed'}: ${service.because}`);
  }
  return conflicts;
}

/** Types in `stacks` that stateful-resources.ts does not classify. */
export function unclassifiedTypes(stacks: readonly StackTemplate[]): string[] {
  const types = stacks.flatMap((s) => Object.values(s.template.Resources).map((r) => r.Type));
  return [...new Set(types)].filter((type) => !(type in RESOURCE_TYPES)).sort();
}

/** Resources the kit keeps on delete or replacement (so holding data, by its own account) whose type is classified stateless. */
export function keptButStateless(stacks: readonly StackTemplate[]): string[] {
  return stacks.flatMap((s) =>
    Object.entries(s.template.Resources)
      .filter(([, r]) => RESOURCE_TYPES[r.Type] === 'stateless' && [r.DeletionPolicy, r.UpdateReplacePolicy].some((p) => p !== undefined && KEEPING_POLICIES.includes(p)))
      .map(([id, r]) => `${s.stackName}/${id} (${r.Type}, DeletionPolicy ${r.DeletionPolicy}, UpdateReplacePolicy ${r.UpdateReplacePolicy})`),
  );
}
