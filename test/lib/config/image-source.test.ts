import { gatherConfig, KIT_REPOSITORY_IMAGE, resolveConfig, validateGathered } from '../../../lib/config';
import { problemsOf } from '../../helpers/config-problems';

const REFERENCE_FAST_ERRORS = { namespace: 'ShipshapeApp', metricName: 'ServerErrors', dimensions: { service: 'shop' } };

describe('GIVEN no service.image: the kit\'s repository, the reference application first', () => {
  const config = resolveConfig({ appName: 'shop' });

  test('THEN the image is the kit\'s repository and the pipeline releases its pushes of "latest", migrating with the reference application\'s runner', () => {
    expect(config.service.image).toEqual(KIT_REPOSITORY_IMAGE);
    expect(config.pipeline).toEqual({ source: { kind: 'ecr', tag: 'latest' }, migrationCommand: ['node', 'dist/migrate.js'], manualApproval: false });
  });

  test('THEN the service follows the reference application\'s contract: port 8080, uid 1000, arm64, liveness for the load balancer, readiness for the smoke test', () => {
    expect(config.service).toMatchObject({
      containerPort: 8080,
      containerUser: '1000',
      cpuArchitecture: 'arm64',
      healthCheckPath: '/health/live',
      smokeTestPath: '/health/ready',
    });
  });

  test('THEN the fast error alarm reads the reference application\'s ServerErrors metric for this app', () => {
    expect(config.alarms.fastErrorMetric).toEqual(REFERENCE_FAST_ERRORS);
  });
});

describe('GIVEN a team that pushes its own image into the kit\'s repository', () => {
  test('WHEN it sets its health check path THEN the smoke test follows it, not the reference application\'s readiness path', () => {
    expect(resolveConfig({ service: { healthCheckPath: '/status' } }).service).toMatchObject({ healthCheckPath: '/status', smokeTestPath: '/status' });
  });

  test('WHEN it turns the migration off THEN the pipeline has no migration stage', () => {
    const config = resolveConfig({ pipeline: { migrationCommand: false } });
    expect(config.pipeline).toEqual({ source: { kind: 'ecr', tag: 'latest' }, migrationCommand: undefined, manualApproval: false });
  });

  test('WHEN it gives its own migration command and fast error metric THEN those are used', () => {
    const config = resolveConfig({ pipeline: { migrationCommand: ['./migrate'] }, alarms: { fastErrorMetric: { namespace: 'Shop', metricName: 'Errors' } } });
    expect(config.pipeline?.migrationCommand).toEqual(['./migrate']);
    expect(config.alarms.fastErrorMetric).toEqual({ namespace: 'Shop', metricName: 'Errors' });
  });

  test('WHEN it sets a pipeline without a source THEN the source is still pushes of "latest"', () => {
    expect(resolveConfig({ pipeline: { manualApproval: true } }).pipeline).toMatchObject({ source: { kind: 'ecr', tag: 'latest' }, manualApproval: true });
  });
});

describe('opting out and other image sources', () => {
  test('GIVEN "pipeline": false with the reference application THEN it is refused: nothing would create its schema', () => {
    expect(() => resolveConfig({ pipeline: false })).toThrow(
      /shipshape\.pipeline: false leaves the reference application without its schema.*keep the pipeline.*or set service\.image to an image of yours/,
    );
  });

  test('GIVEN "pipeline": false with an image of yours THEN there is no pipeline', () => {
    const config = resolveConfig({ service: { image: { repository: 'acme/shop', tag: 'v1' } }, pipeline: false });
    expect(config.pipeline).toBeUndefined();
    expect(config.service.image).not.toEqual(KIT_REPOSITORY_IMAGE);
  });

  test('GIVEN -c shipshape.pipeline=false on the command line THEN it is read as false', () => {
    const gathered = gatherConfig({ context: { 'shipshape.pipeline': 'false', 'shipshape.service.image': '{"repository":"acme/shop","tag":"v1"}' } });
    const validated = validateGathered(gathered);
    expect(validated.config).toBeDefined();
    expect(validated.config?.pipeline).toBeUndefined();
  });

  test('GIVEN an image by URI THEN it is fixed: no pipeline, no reference application defaults', () => {
    const config = resolveConfig({ service: { image: { uri: 'public.ecr.aws/acme/shop:1.0' } } });
    expect(config.pipeline).toBeUndefined();
    expect(config.service).toMatchObject({ containerUser: '1000', cpuArchitecture: 'x86_64', healthCheckPath: '/health', smokeTestPath: '/health' });
    expect(config.alarms.fastErrorMetric).toBeUndefined();
  });

  test('GIVEN an image by URI and a pipeline THEN the configuration is refused, saying what to do', () => {
    expect(problemsOf({ service: { image: { uri: 'public.ecr.aws/acme/shop:1.0' } }, pipeline: { source: { kind: 'ecr' } } })).toMatch(
      /shipshape\.pipeline: releases deploy images from this account's ECR.*drop pipeline \(or set it to false\)/,
    );
    expect(() => resolveConfig({ service: { image: { uri: 'public.ecr.aws/acme/shop:1.0' } }, pipeline: false })).not.toThrow();
  });

  test('GIVEN a repository of your own THEN the pipeline is on when configured (no migration unless given), off otherwise', () => {
    const image = { repository: 'shop', tag: 'v1' };
    expect(resolveConfig({ service: { image } }).pipeline).toBeUndefined();
    expect(resolveConfig({ service: { image }, pipeline: { source: { kind: 'ecr', tag: 'release' } } }).pipeline).toEqual({
      source: { kind: 'ecr', tag: 'release' },
      migrationCommand: undefined,
      manualApproval: false,
    });
    expect(resolveConfig({ service: { image } }).alarms.fastErrorMetric).toBeUndefined();
  });

  test.each([
    [{ pipeline: true }, /shipshape\.pipeline: must be false \(no pipeline\) or/],
    [{ pipeline: { migrationCommand: true } }, /shipshape\.pipeline\.migrationCommand: must be the migration command as a list.*or false/],
    [{ pipeline: { migrationCommand: [] } }, /shipshape\.pipeline\.migrationCommand/],
  ])('GIVEN %j THEN it is refused, naming the key and what is allowed', (raw, error) => {
    expect(problemsOf(raw)).toMatch(error);
  });
});
