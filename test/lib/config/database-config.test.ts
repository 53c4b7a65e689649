import { DatabaseEngine } from '../../../constructs/database';
import { AppSecretSource } from '../../../constructs/secrets';
import { resolveConfig, risksTaken } from '../../../lib/config';
import { problemsOf } from '../../helpers/config-problems';


describe('database configuration defaults', () => {
  test('production: Aurora Serverless v2 with a reader, 14-day backups, deletion protection, an application user rotated every 30 days', () => {
    const { database } = resolveConfig({});
    expect(database).toMatchObject({
      engine: DatabaseEngine.AURORA_SERVERLESS_V2,
      postgresVersion: '17.9',
      minCapacity: 0.5,
      maxCapacity: 4,
      readers: 1,
      backupRetentionDays: 14,
      deletionProtection: true,
      credentialRotationDays: 30,
      applicationUser: 'app',
      proxy: false,
      backup: { dailyRetentionDays: 35 },
    });
  });

  test('budget: RDS Multi-AZ on db.t4g.micro, still protected and backed up the same', () => {
    const { database } = resolveConfig({ profile: 'budget' });
    expect(database).toMatchObject({ engine: DatabaseEngine.RDS_MULTI_AZ, instanceType: 't4g.micro', backupRetentionDays: 14, deletionProtection: true });
  });

  test('application secrets keep their declared sources', () => {
    const config = resolveConfig({ secrets: { SESSION_KEY: 'generated', PAYMENT_API_KEY: 'operator' } });
    expect(config.secrets).toEqual({ SESSION_KEY: AppSecretSource.GENERATED, PAYMENT_API_KEY: AppSecretSource.OPERATOR });
  });
});

describe('database configuration refuses bad input with the property and what is allowed', () => {
  test.each([
    [{ database: { backupRetentionDays: 36 } }, /shipshape\.database\.backupRetentionDays: automated backups keep 1 to 35 days \(got 36\)/],
    [{ database: { backupRetentionDays: 0 } }, /shipshape\.database\.backupRetentionDays: .*\(got 0\)/],
    [{ database: { minCapacity: 8, maxCapacity: 2 } }, /shipshape\.database\.minCapacity: 8 ACUs is more than maxCapacity 2/],
    [{ database: { maxCapacity: 2.2 } }, /shipshape\.database\.maxCapacity: Serverless v2 capacity moves in steps of 0.5 ACU \(got 2.2\)/],
    [{ database: { postgresVersion: '17.42' } }, /shipshape\.database\.postgresVersion: 17.42 is not a known aurora-serverless-v2 version; recent ones: .*17\.9/],
    [{ database: { engine: 'mysql' } }, /shipshape\.database\.engine: must be one of aurora-serverless-v2 \| rds-multi-az/],
    [{ database: { credentialRotationDays: 400 } }, /shipshape\.database\.credentialRotationDays: must be from 1 to 365 days \(got 400\)/],
    [{ database: { credentialRotationDays: 0 } }, /shipshape\.database\.credentialRotationDays: .*\(got 0\)/],
    [{ database: { instanceType: 'db.t4g.micro' } }, /shipshape\.database\.instanceType: must be an instance type without "db."/],
    [{ database: { backup: { crossRegionCopy: { region: 'eu-west-1', vaultName: 'dr' } } }, env: { region: 'eu-west-1' } }, /crossRegionCopy\.region: eu-west-1 is the stack's own region/],
    [{ database: { backup: { vaultLock: { minRetentionDays: 30 } } } }, /vaultLock\.minRetentionDays: 30 is longer than the shortest backup retention \(14 days\)/],
    [{ database: { backup: { vaultLock: { minRetentionDays: 7, changeableForDays: 1 } } } }, /changeableForDays: AWS Backup needs at least 3 days/],
    [{ database: { retention: 7 } }, /shipshape\.database: unknown key\(s\) "retention"; allowed keys: engine, postgresVersion/],
    [{ secrets: { 'api-key': 'operator' } }, /secret names are environment variable names/],
    [{ secrets: { API_KEY: 'typed-by-hand' } }, /must be one of generated \| operator/],
  ])('%j', (raw, message) => {
    expect(problemsOf(raw)).toMatch(message);
  });
});

describe('database risks', () => {
  test('production refuses a database without deletion protection unless the risk is accepted', () => {
    expect(problemsOf({ database: { deletionProtection: false } })).toMatch(/acceptedRisks\.no-deletion-protection: .*or the database/);
    const accepted = resolveConfig({
      database: { deletionProtection: false },
      acceptedRisks: { 'no-deletion-protection': 'a disposable preview environment' },
    });
    expect(risksTaken(accepted)).toContain('no-deletion-protection');
  });

  test('production refuses Aurora without a reader (failover would take minutes)', () => {
    expect(problemsOf({ database: { readers: 0 } })).toMatch(/acceptedRisks\.no-database-standby: .*~10 minutes/);
  });

  test('RDS with its Multi-AZ standby takes no risk; the budget profile runs without one', () => {
    expect(risksTaken(resolveConfig({ profile: 'budget', database: { multiAz: true } }))).not.toContain('no-database-standby');
    expect(risksTaken(resolveConfig({ profile: 'budget' }))).toContain('no-database-standby');
  });
});

describe('restore drill configuration', () => {
  test('defaults: weekly on Sunday 06:00 UTC from the latest snapshot, alarm after 8 days without success', () => {
    expect(resolveConfig({}).drill).toEqual({
      weekDay: 'SUN',
      hour: 6,
      timeZone: 'UTC',
      source: 'latest-snapshot',
      pointInTimeMinutesAgo: 15,
      maxDaysWithoutSuccess: 8,
      heartbeat: true,
      checks: {},
    });
  });

  test('a freshness column replaces the heartbeat unless both are asked for', () => {
    expect(resolveConfig({ drill: { checks: { freshnessColumn: 'orders.created_at' } } }).drill.heartbeat).toBe(false);
  });

  test.each([
    [{ drill: { timeZone: 'Mars/Olympus' } }, /shipshape\.drill\.timeZone: must be an IANA time zone/],
    [{ drill: { weekDay: 'sunday' } }, /shipshape\.drill\.weekDay: must be one of MON \| TUE/],
    [{ drill: { source: 'snapshot' } }, /shipshape\.drill\.source: must be one of latest-snapshot \| point-in-time \| backup-vault/],
    [{ drill: { pointInTimeMinutesAgo: 2 } }, /shipshape\.drill\.pointInTimeMinutesAgo/],
    [{ drill: { checks: { tables: [{ table: 'orders;--' }] } } }, /shipshape\.drill\.checks\.tables\.0\.table: a table or schema\.table name/],
    [{ drill: { checks: { sql: [{ name: 'x', sql: 'SELECT 1', expect: { about: 1 } }] } } }, /unknown key\(s\) "about"; allowed keys: equals, min, max/],
  ])('%j', (raw, message) => {
    expect(problemsOf(raw)).toMatch(message);
  });
});

describe('alarm configuration', () => {
  test('the owner is paged by email unless the configuration names who', () => {
    expect(resolveConfig({ owner: 'team@example.com' }).alarms.emails).toEqual(['team@example.com']);
    expect(resolveConfig({ owner: 'team@example.com', alarms: { emails: ['pager@example.com'] } }).alarms.emails).toEqual(['pager@example.com']);
  });

  test.each([
    [{ alarms: { emails: ['oncall@'] } }, /shipshape\.alarms\.emails\.0: must be an email address/],
    [{ alarms: { webhooks: ['http://hooks.example.com/x'] } }, /shipshape\.alarms\.webhooks\.0: must be an https:\/\/ URL/],
    [{ alarms: { thresholds: { p99LatencySeconds: 120 } } }, /shipshape\.alarms\.thresholds\.p99LatencySeconds: must be from 0\.01 to 60 \(got 120\)/],
    [{ alarms: { thresholds: { latency: 1 } } }, /unknown key\(s\) "latency"; allowed keys: alb5xxRatePercent/],
    [{ alarms: { disabled: ['everything'] } }, /shipshape\.alarms\.disabled\.0: must be one of alb-5xx-rate/],
  ])('%j', (raw, message) => {
    expect(problemsOf(raw)).toMatch(message);
  });
});
