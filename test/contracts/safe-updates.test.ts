import { isDeepStrictEqual } from 'node:util';
import { type ComposedOptions, referenceApp, synthComposed } from './safe-updates-synth';
import { COMPOSED_ROWS, REFERENCE_ROWS, type Row, type Settings } from './safe-updates-matrix';
import {
  changesBetween,
  ecsRouting,
  ecsRoutingConflicts,
  keptButStateless,
  type StackTemplate,
  statefulLosses,
  unclassifiedTypes,
} from './update-safety';

/*
 * Contract: the configuration changes a team makes update the stacks in place. Each row is
 * synthesized before and after and compared with @aws-cdk/cloudformation-diff: no stateful resource
 * (test/contracts/stateful-resources.ts) is replaced, removed or loses its Retain/Snapshot policy, and
 * the listener rules ECS blue/green rewrites, their listeners and target groups keep their logical
 * ids, and the rules their properties (a template change there resets the weights ECS set,
 * aws-cdk#36649). A row that is replacing by nature names what it replaces.
 */

/** Each distinct configuration is synthesized once. */
const synthesized = new Map<string, StackTemplate[]>();
function once(key: string, synth: () => StackTemplate[]): StackTemplate[] {
  let stacks = synthesized.get(key);
  if (!stacks) {
    stacks = synth();
    synthesized.set(key, stacks);
  }
  return stacks;
}

/** The reference app (without the policy packs: another test's), once per validated configuration. */
function reference(settings: Settings): StackTemplate[] {
  const { config, synth } = referenceApp(settings);
  return once(`reference ${JSON.stringify(config)}`, synth);
}

function composed(options: Partial<ComposedOptions>): StackTemplate[] {
  return once(`composed ${JSON.stringify(options)}`, () => synthComposed(options));
}

/**
 * The update from `before` to `after` replaces only the stateful types the row names, and rewrites the
 * routing ECS manages only if the row says it does.
 */
function expectSafeUpdate(before: StackTemplate[], after: StackTemplate[], row: Row<unknown>): void {
  const replaces = row.replaces ?? [];
  // The same settings twice: a redeploy, after AWS has published new values for the SSM parameters the templates read.
  const redeploy = isDeepStrictEqual(row.before, row.after);
  const changes = changesBetween(before, after, { ssmValuesChange: redeploy });
  const tagsChanged = before.some((stack, i) => JSON.stringify(stack.tags ?? {}) !== JSON.stringify(after[i].tags ?? {}));
  // The row changes something: a setting the app ignored would prove nothing.
  expect(changes.length > 0 || tagsChanged).toBe(true);
  const losses = statefulLosses(before, after, changes);
  const conflicts = ecsRoutingConflicts(before, after, changes);
  expect({
    unexpectedLosses: losses.filter((loss) => !replaces.includes(loss.type)).map((loss) => loss.message),
    ecsRoutingConflicts: row.rewritesEcsRouting ? [] : conflicts,
  }).toEqual({ unexpectedLosses: [], ecsRoutingConflicts: [] });
  expect([...new Set(losses.map((loss) => loss.type))].sort()).toEqual([...replaces].sort());
  expect(conflicts.length > 0).toBe(row.rewritesEcsRouting ?? false);
}

const SYNTH_TIMEOUT = 180_000;

describe('the reference app', () => {
  test.each(REFERENCE_ROWS)('$name', (row) => {
    expectSafeUpdate(reference(row.before), reference(row.after), row);
  }, SYNTH_TIMEOUT);
});

describe('constructs composed directly, with other props', () => {
  test.each(COMPOSED_ROWS)('$name', (row) => {
    expectSafeUpdate(composed(row.before), composed(row.after), row);
  }, SYNTH_TIMEOUT);
});

describe('the classification the contract reads', () => {
  const every = (): StackTemplate[][] => [
    ...REFERENCE_ROWS.flatMap((row) => [reference(row.before), reference(row.after)]),
    ...COMPOSED_ROWS.flatMap((row) => [composed(row.before), composed(row.after)]),
  ];

  test('every resource type in every template the matrix synthesizes is classified stateful or stateless', () => {
    expect(every().flatMap(unclassifiedTypes).filter((type, i, all) => all.indexOf(type) === i)).toEqual([]);
  }, SYNTH_TIMEOUT);

  test('every resource the kit keeps on delete or replacement is of a type classified stateful', () => {
    expect([...new Set(every().flatMap(keptButStateless))]).toEqual([]);
  }, SYNTH_TIMEOUT);

  test('both the reference app and the composed stacks have the routing ECS manages: two rules, their listeners, two target groups', () => {
    for (const stacks of [reference({}), composed({})]) {
      expect(ecsRouting(stacks)).toEqual([expect.objectContaining({ rules: expect.arrayContaining([expect.any(String), expect.any(String)]), targetGroups: [expect.any(String), expect.any(String)] })]);
      expect(ecsRouting(stacks)[0].rules).toHaveLength(2);
      expect(ecsRouting(stacks)[0].listeners).toHaveLength(2);
    }
  });
});

describe('what the diff follows beyond the template text', () => {
  const subnets = (name: string): StackTemplate => ({
    stackName: 'Network',
    template: {
      Resources: { Subnets: { Type: 'AWS::RDS::DBSubnetGroup', Properties: { DBSubnetGroupName: name, DBSubnetGroupDescription: 'data', SubnetIds: ['subnet-1', 'subnet-2'] } } },
      Outputs: { SubnetGroup: { Value: { Ref: 'Subnets' }, Export: { Name: 'Network:SubnetGroup' } } },
    },
  });
  const database = (reference: 'weak' | 'strong'): StackTemplate => ({
    stackName: 'Data',
    template: {
      Resources: {
        Cluster: {
          Type: 'AWS::RDS::DBCluster',
          DeletionPolicy: 'Snapshot',
          Properties: {
            Engine: 'aurora-postgresql',
            DBSubnetGroupName: reference === 'weak' ? { 'Fn::GetStackOutput': { StackName: 'Network', OutputName: 'SubnetGroup' } } : { 'Fn::ImportValue': 'Network:SubnetGroup' },
          },
        },
      },
    },
  });

  test.each(['weak', 'strong'] as const)('a stateful resource that reads a replaced resource of an earlier stack (%s reference) is replaced, and reported', (reference) => {
    // GIVEN a subnet group whose new name replaces it, read by a database in the next stack
    const before = [subnets('data-a'), database(reference)];
    const after = [subnets('data-b'), database(reference)];
    // WHEN the update is analysed
    const changes = changesBetween(before, after);
    // THEN the database's template text is unchanged, yet it is replaced
    expect(changes.find((c) => c.id === 'Cluster')).toMatchObject({ stack: 'Data', change: 'replace' });
    expect(statefulLosses(before, after, changes).map((loss) => loss.type)).toEqual(['AWS::RDS::DBCluster']);
  });

  test('a resource that reads a parameter whose value changes is updated, or replaced where the property replaces it', () => {
    const template = (tag: string): StackTemplate => ({
      stackName: 'Web',
      template: {
        Parameters: { ImageVersion: { Default: tag } },
        Resources: { Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [{ Image: { 'Fn::Sub': 'shop:${ImageVersion}' } }] } } },
      },
    });
    expect(changesBetween([template('v1')], [template('v2')])).toEqual([expect.objectContaining({ id: 'Task', change: 'replace' })]);
  });
});
