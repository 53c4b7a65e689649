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

test('budget: $89.13 a month, under its $90 target', () => {
  const { total } = planOf('budget');
  expect(total.monthlyUsd).toBeCloseTo(89.13, 2);
  expect(total.target).toEqual(expect.objectContaining({ met: true, limitUsd: 90 }));
});

test('production: $248.29 a month with its NAT gateways, missing its $200 target (as the README says)', () => {
  const { total } = planOf('production');
  expect(total.monthlyUsd).toBeCloseTo(248.29, 2);
  expect(total.target).toEqual(expect.objectContaining({ met: false, limitUsd: 200 }));
});
