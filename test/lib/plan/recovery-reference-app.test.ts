import { recoveryFigures } from '../../../lib/plan/recovery';
import type { CfnTemplate } from '../../../lib/plan/template';
import { synthReferenceApp } from '../../helpers/reference-app';

/** The reference app with the application's 10 s error metric configured, as `shipshape plan` reads it. */
const figures = recoveryFigures(
  synthReferenceApp({ 'shipshape.alarms': { fastErrorMetric: { namespace: 'shop', metricName: 'Errors', dimensions: { service: 'shop' } } } }).statelessTemplate.toJSON() as CfnTemplate,
);
const figure = (name: string) => figures.find((f) => f.figure === name);

describe('shipshape plan on the reference app: a bad release is stopped by its alarm event', () => {
  test('the 10 s metric: back on the old revision in 50 s, the 60 s target met (ECS polling alone: 70 s)', () => {
    expect(figure('a bad release is detected and traffic is back on the old revision')).toMatchObject({
      seconds: 50,
      from: expect.stringMatching(/^shipshape-stateless-release-fast-errors: .* = 50 s; target 60 s: met, 10 s spare \(alarm event stops the deployment; ECS's own alarm polling, the fallback: 70 s;/),
    });
  });

  test('the load balancer\'s one-minute metrics: 200 s, the 3 minute target missed by 20 s, said so (ECS polling alone: 220 s)', () => {
    expect(figure('a bad release is detected on one-minute metrics and traffic is back on the old revision')).toMatchObject({
      seconds: 200,
      from: expect.stringMatching(/^shipshape-stateless-release-5xx-rate: .* = 200 s; target 180 s: missed by 20 s .*the fallback: 220 s;/),
    });
  });
});
