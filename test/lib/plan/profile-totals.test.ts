import { buildPlan } from '../../../lib/plan';
import { synthReferenceApp } from '../../helpers/reference-app';

/** The README's cost table: what `shipshape plan` says each profile of the reference app costs, and its target. */
function planOf(profile: 'production' | 'budget') {
  const app = synthReferenceApp({ 'shipshape.profile': profile });
  return buildPlan({
    stacks: [
      { name: app.stateful.stackName, template: app.statefulTemplate.toJSON() as never },
      { name: app.stateless.stackName, template: app.statelessTemplate.toJSON() as never },
    ],
    openFindings: [],
    region: 'us-east-1',
    profile,
  });
}

/** The sum of one item over both stacks. */
const item = (plan: ReturnType<typeof planOf>, name: string) => Math.round(plan.stacks.flatMap((s) => s.cost.lines).filter((l) => l.item === name).reduce((sum, l) => sum + l.monthlyUsd, 0) * 100) / 100;

/**
 * What the release path on by default adds to both profiles (was $89.13 and $248.29): the pipeline
 * $1.20, its artifact bucket $0.12, the image repository $0.20, the reference image's asset $0.10,
 * the pipeline's key $1.00 (+ $0.03 of requests), the migration runs $0.02, the reference
 * application's fast error metric $0.30 and its 10-second alarm $0.30, the first migration's waiter
 * state machine $0.01: +$3.28. Then fewer customer-managed keys (docs/cost.md): the flow logs share
 * RetryableCreate's key and the pipeline the service's, 7 keys → 5: −$2.06 ($2.00 of keys, $0.06 of
 * modelled requests), to $90.35 and $249.51. Then the drill's report metrics, sent once a weekly run,
 * billed for the hours they are sent in (CloudWatch prorates custom metrics by the hour): 6.04 fewer
 * metric-months, −$1.79, to $88.56 and $247.72.
 */
const RELEASE_PATH_ITEMS = {
  'Release pipeline (CodePipeline V2)': 1.2,
  'Release pipeline artifacts (S3)': 0.12,
  'ECR repository (release images)': 0.2,
  'CDK asset images (bootstrap repository)': 0.1,
  'KMS keys': 5,
  'KMS requests': 0.15,
};

test('budget: $88.56 a month with the release path on by default and 5 keys: under its $90 target by $1.44', () => {
  const plan = planOf('budget');
  expect(plan.total.monthlyUsd).toBeCloseTo(88.56, 2);
  expect(plan.total.target).toEqual(expect.objectContaining({ met: true, limitUsd: 90 }));
  expect(Object.fromEntries(Object.keys(RELEASE_PATH_ITEMS).map((name) => [name, item(plan, name)]))).toEqual(RELEASE_PATH_ITEMS);
});

test('production: $247.72 a month with its NAT gateways, the release path and 5 keys, missing its $200 target', () => {
  const plan = planOf('production');
  expect(plan.total.monthlyUsd).toBeCloseTo(247.72, 2);
  expect(plan.total.target).toEqual(expect.objectContaining({ met: false, limitUsd: 200 }));
  expect(Object.fromEntries(Object.keys(RELEASE_PATH_ITEMS).map((name) => [name, item(plan, name)]))).toEqual(RELEASE_PATH_ITEMS);
});
