import { FAST_ERROR_METRIC, ServerErrorsEmitter, serverErrorsEmf } from '../src/metrics/emf';
import { emfProblems } from './support/emf-spec';

describe('serverErrorsEmf', () => {
  test('is a valid EMF document: one high-resolution Count metric, one dimension, the service', () => {
    // GIVEN a count, a service and a time
    // WHEN the document is built
    const emf = serverErrorsEmf(3, 'checkout', 1_764_633_600_000);

    // THEN it meets the EMF specification and names exactly what the release alarm reads
    expect(emfProblems(emf)).toEqual([]);
    expect(emf).toEqual({
      _aws: {
        Timestamp: 1_764_633_600_000,
        CloudWatchMetrics: [{ Namespace: 'ShipshapeApp', Dimensions: [['service']], Metrics: [{ Name: 'ServerErrors', Unit: 'Count', StorageResolution: 1 }] }],
      },
      service: 'checkout',
      ServerErrors: 3,
    });
    expect(FAST_ERROR_METRIC).toMatchObject({ namespace: 'ShipshapeApp', metricName: 'ServerErrors', dimensionName: 'service' });
  });

  test('the validator rejects what the specification does not allow', () => {
    const emf = serverErrorsEmf(0, 'checkout', 1);
    expect(emfProblems({ ...emf, service: undefined })).toEqual(['dimension service: the root must hold it as a string of 1 to 1024 characters']);
    expect(emfProblems({ ...emf, ServerErrors: 'one' })).toEqual(['metric ServerErrors: the root must hold it as a number or an array of up to 100 numbers']);
    const aws = emf._aws as { CloudWatchMetrics: Array<{ Metrics: Array<Record<string, unknown>> }> };
    const badResolution = { ...emf, _aws: { ...aws, CloudWatchMetrics: [{ ...aws.CloudWatchMetrics[0], Metrics: [{ Name: 'ServerErrors', StorageResolution: 10 }] }] } };
    expect(emfProblems(badResolution)).not.toEqual([]);
  });
});

describe('ServerErrorsEmitter', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_764_633_600_000 }));
  afterEach(() => jest.useRealTimers());

  test('writes one line every 10 seconds, a 0 too, counting only 5xx responses', () => {
    // GIVEN a started emitter
    const lines: string[] = [];
    const emitter = new ServerErrorsEmitter('reference-app', (line) => lines.push(line));
    emitter.start();

    // WHEN a quiet interval passes, then one with two 5xx and two other responses, then it stops
    jest.advanceTimersByTime(10_000);
    for (const status of [500, 503, 404, 200]) emitter.record(status);
    jest.advanceTimersByTime(10_000);
    emitter.record(502);
    emitter.stop();
    jest.advanceTimersByTime(30_000);

    // THEN each interval produced one valid JSON line with its own count, and stop flushed the rest
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    const documents = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(documents.map((d) => d.ServerErrors)).toEqual([0, 2, 1]);
    expect(documents.flatMap(emfProblems)).toEqual([]);
    expect(documents.map((d) => (d._aws as { Timestamp: number }).Timestamp)).toEqual([1_764_633_610_000, 1_764_633_620_000, 1_764_633_620_000]);
  });
});
