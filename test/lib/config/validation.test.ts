import { DatabaseEngine, postgresVersions } from '../../../constructs/database';
import { ConfigError, resolveConfig, validateConfig } from '../../../lib/config';

/** The problems of `raw` as `path: message` lines. */
function problems(raw: unknown): string[] {
  return validateConfig(raw).problems.map((p) => `${p.path}: ${p.message}`);
}

describe('one validation pass reports every problem at once', () => {
  // GIVEN a dozen mistakes: bad values (the first pass of old) and rules across fields and profile risks (the second).
  const raw = {
    owner: 'oncall-at-example',
    tags: { 'aws:team': 'payments' },
    network: { maxAzs: 1, natStrategy: 'single' },
    service: { image: { repository: 'shop', tag: 2 }, containerPort: '80', cpu: 256, memoryMiB: 4096, spotWeight: 2 },
    database: { engine: 'rds-multi-az', minCapacity: 0.3, postgresVersion: '17.42', backupRetentionDays: 40 },
    drill: { hour: 24 },
    alarms: { thresholds: { p99LatencySeconds: 120 } },
    replicas: 3,
  };

  test('all of them in one ConfigError, each at its exact path, none twice', () => {
    // WHEN
    let error: unknown;
    try {
      resolveConfig(raw);
    } catch (e) {
      error = e;
    }
    // THEN
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).issues.map((p) => p.path);
    expect(paths.sort()).toEqual(
      [
        '', // the unknown key "replicas"
        'owner',
        'tags.aws:team',
        'network.maxAzs',
        'service.image.tag',
        'service.containerPort',
        'service.memoryMiB',
        'database.minCapacity',
        'database.postgresVersion',
        'database.backupRetentionDays',
        'drill.hour',
        'alarms.thresholds.p99LatencySeconds',
        'acceptedRisks.single-nat-gateway',
        'acceptedRisks.fargate-spot',
      ].sort(),
    );
    expect((error as ConfigError).message).toMatch(/^Invalid shipshape configuration \(14 problems\):/);
  });

  test('each line names the value and what is allowed', () => {
    const lines = problems(raw);
    expect(lines).toEqual(
      expect.arrayContaining([
        ': unknown key(s) "replicas"; allowed keys: profile, appName, owner, tags, env, network, service, database, drill, alarms, pipeline, secrets, observability, acceptedRisks, $schema',
        'service.image.tag: must be a string (got 2, a number): write it in quotes, "2"',
        'service.containerPort: must be a whole number from 1 to 65535 (got "80", a string)',
        'service.memoryMiB: 4096 is not a Fargate size for service.cpu 256; with cpu 256 memoryMiB is one of 512 | 1024 | 2048; or set service.cpu to 512 | 1024 | 2048 for 4096 MiB',
        'database.minCapacity: applies to engine aurora-serverless-v2 only and is not used with engine rds-multi-az: remove it, or set database.engine to aurora-serverless-v2 (got 0.3)',
        'drill.hour: an hour from 0 to 23 (got 24)',
      ]),
    );
    expect(lines.find((l) => l.startsWith('database.postgresVersion'))).toMatch(/^database\.postgresVersion: 17\.42 is not a known rds-multi-az version; recent ones: .*17\.9/);
  });

  test('a rule across fields is not reported on a value already reported as bad', () => {
    // The bad cpu is reported; the memory is not judged against the default cpu it was replaced with.
    expect(problems({ service: { cpu: 300, memoryMiB: 4096 } })).toEqual([
      'service.cpu: must be one of 256 | 512 | 1024 | 2048 | 4096 | 8192 | 16384 (Fargate CPU units: 256 is 0.25 vCPU; memoryMiB must be a size Fargate pairs with it) (got 300)',
    ]);
  });

  test('a risk accepted with too short a reason is reported once, as the reason', () => {
    expect(problems({ service: { desiredCount: 1 }, acceptedRisks: { 'single-task': 'ok' } })).toEqual([
      'acceptedRisks.single-task: say why the risk is acceptable here, in at least 10 characters (got "ok")',
    ]);
  });
});

describe('messages that say what is allowed, at the exact path', () => {
  test('a wrong type says what the key takes', () => {
    expect(problems({ database: { proxy: 'yes' } })).toEqual(['database.proxy: must be true or false (got "yes", a string)']);
    expect(problems({ alarms: { emails: 'oncall@example.com' } })).toEqual(['alarms.emails: must be a list (JSON array), each a string (got "oncall@example.com", a string)']);
  });

  test('a range without its own wording says the range', () => {
    expect(problems({ service: { containerPort: 0 } })).toEqual(['service.containerPort: must be a whole number from 1 to 65535 (got 0)']);
  });

  test('a PostgreSQL version written as a JSON number is refused with how to write it', () => {
    expect(problems({ database: { postgresVersion: 16.4 } })).toEqual(['database.postgresVersion: must be a string (got 16.4, a number): write it in quotes, "16.4"']);
  });

  test('the image tag, not the image, when the image is { repository, tag }', () => {
    expect(problems({ service: { image: { repository: 'shop', tag: 'v 1' } } })).toEqual(['service.image.tag: must be an image tag (got "v 1")']);
  });

  test('an image that fits neither shape is reported on the image, with both shapes', () => {
    expect(problems({ service: { image: { repo: 'x' } } })[0]).toMatch(/^service\.image: must be \{ "uri": .* or \{ "repository"/);
  });

  test.each([
    [{ profile: 'budget', database: { readers: 2 } }, 'database.readers', 'aurora-serverless-v2'],
    [{ database: { instanceType: 't4g.large' } }, 'database.instanceType', 'rds-multi-az'],
    [{ database: { allocatedStorageGiB: 100 } }, 'database.allocatedStorageGiB', 'rds-multi-az'],
  ])('a setting of the other database engine is refused: %j', (raw, path, engine) => {
    const [line] = problems(raw);
    expect(line).toMatch(new RegExp(`^${path.replace('.', '\\.')}: applies to engine ${engine} only and is not used with engine `));
  });

  test('the engine from the profile is named as the profile\'s', () => {
    expect(problems({ profile: 'budget', database: { maxCapacity: 8 } })[0]).toMatch(/not used with engine rds-multi-az \(the budget profile's\)/);
  });
});

describe('PostgreSQL versions', () => {
  test('the versions offered are the versions accepted: no Limitless variant is listed', () => {
    for (const engine of Object.values(DatabaseEngine)) {
      expect(postgresVersions(engine).filter((v) => !/^\d+(\.\d+)*$/.test(v))).toEqual([]);
    }
    expect(problems({ database: { postgresVersion: '16.4' } })).toEqual([]);
    expect(problems({ database: { postgresVersion: '16.4-limitless' } })).toHaveLength(1);
  });
});
