import type { ClientBase } from 'pg';
import type { CheckResult, DrillChecks, SqlCheck, ValidationResult } from './drill-state';

/** The table the heartbeat writer keeps one row in, updated every minute. */
export const HEARTBEAT_TABLE = 'shipshape.heartbeat';

/** `schema.table` or `table`, each part quoted as an identifier. */
function qualified(client: ClientBase, name: string): string {
  return name
    .split('.')
    .map((part) => client.escapeIdentifier(part))
    .join('.');
}

async function check(name: string, run: () => Promise<string>): Promise<CheckResult> {
  try {
    return { name, passed: true, message: await run() };
  } catch (error) {
    return { name, passed: false, message: (error as Error).message };
  }
}

function meets(value: unknown, expectation: SqlCheck['expect']): string | undefined {
  if (expectation.equals !== undefined && String(value) !== String(expectation.equals)) {
    return `expected ${String(expectation.equals)}, got ${String(value)}`;
  }
  const n = Number(value);
  if (expectation.min !== undefined && !(n >= expectation.min)) return `expected at least ${expectation.min}, got ${String(value)}`;
  if (expectation.max !== undefined && !(n <= expectation.max)) return `expected at most ${expectation.max}, got ${String(value)}`;
  return undefined;
}

export interface ValidateOptions {
  /** The time the restored data should reach (snapshot time or PITR target). */
  readonly targetTime: Date;
  readonly now: Date;
}

/**
 * Runs the drill's checks on a connected copy: the tables exist with their minimum row counts,
 * the newest write is close enough to the target time (its distance is the measured RPO), and
 * every user SQL check returns what it expects. A failing check fails the drill; it never stops
 * the other checks.
 */
export async function validateCopy(client: ClientBase, checks: DrillChecks, options: ValidateOptions): Promise<ValidationResult> {
  const results: CheckResult[] = [];
  results.push(await check('connectivity', async () => {
    const row = await client.query<{ version: string }>('SELECT version() AS version');
    return row.rows[0].version.split(' on ')[0];
  }));
  for (const table of checks.tables ?? []) {
    results.push(await check(`table ${table.table}`, async () => {
      const exists = await client.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [table.table]);
      if (exists.rows[0].found === null) throw new Error(`table ${table.table} does not exist`);
      const counted = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${qualified(client, table.table)}`);
      const rows = Number(counted.rows[0].n);
      if (table.minRows !== undefined && rows < table.minRows) throw new Error(`${table.table} has ${rows} rows, fewer than the minimum ${table.minRows}`);
      return `${rows} rows`;
    }));
  }
  let newestWrite: Date | undefined;
  const freshness = checks.heartbeat ? `${HEARTBEAT_TABLE}.beat_at` : checks.freshnessColumn;
  if (freshness) {
    results.push(await check('freshness', async () => {
      const dot = freshness.lastIndexOf('.');
      const [table, column] = [freshness.slice(0, dot), freshness.slice(dot + 1)];
      const out = await client.query<{ newest: Date | null }>(`SELECT max(${client.escapeIdentifier(column)}) AS newest FROM ${qualified(client, table)}`);
      const newest = out.rows[0].newest;
      if (newest === null) throw new Error(`${freshness} holds no timestamp`);
      newestWrite = newest;
      const ageMinutes = (options.targetTime.getTime() - newest.getTime()) / 60_000;
      const limit = checks.maxDataAgeMinutes ?? 60;
      if (ageMinutes > limit) {
        throw new Error(`newest write ${newest.toISOString()} is ${Math.round(ageMinutes)} min older than the target ${options.targetTime.toISOString()} (limit ${limit} min)`);
      }
      return `newest write ${newest.toISOString()}, ${Math.max(0, Math.round(ageMinutes * 60))} s before the target`;
    }));
  }
  for (const sql of checks.sql ?? []) {
    results.push(await check(sql.name, async () => {
      const out = await client.query<Record<string, unknown>>(sql.sql);
      const value = out.rows[0] ? Object.values(out.rows[0])[0] : undefined;
      const problem = meets(value, sql.expect);
      if (problem) throw new Error(problem);
      return `returned ${String(value)}`;
    }));
  }
  return {
    passed: results.every((r) => r.passed),
    checks: results,
    newestWrite: newestWrite?.toISOString(),
    validatedAt: options.now.toISOString(),
  };
}
