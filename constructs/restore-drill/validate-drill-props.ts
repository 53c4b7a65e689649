import { Duration, Token } from 'aws-cdk-lib';
import type { RestoreDrillProps } from './restore-drill-props';

const AT = 'RestoreDrill';
const QUALIFIED = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/;

/** Refuses settings a drill could not run with, naming the prop and what is allowed. */
export function validateDrillProps(props: RestoreDrillProps): void {
  const source = props.source;
  if (source?.mode === 'point-in-time' && !(Number.isInteger(source.minutesAgo) && source.minutesAgo >= 5 && source.minutesAgo <= 1440)) {
    throw new Error(`${AT}.source.minutesAgo: must be a whole number of minutes from 5 (transaction logs reach S3 every 5 minutes) to 1440 (got ${source.minutesAgo})`);
  }
  const restore = props.restoreTimeout ?? Duration.hours(3);
  if (!Token.isUnresolved(restore.toSeconds()) && (restore.toMinutes() < 30 || restore.toHours({ integral: false }) > 23)) {
    throw new Error(`${AT}.restoreTimeout: from 30 minutes to 23 hours (got ${restore.toHumanString()}); large snapshots take over an hour to restore`);
  }
  const poll = props.pollInterval ?? Duration.minutes(1);
  if (poll.toSeconds() < 30 || poll.toSeconds() > 900) {
    throw new Error(`${AT}.pollInterval: from 30 seconds to 15 minutes (got ${poll.toHumanString()})`);
  }
  const days = props.maxDaysWithoutSuccess ?? 8;
  if (!Number.isInteger(days) || days < 1 || days > 90) {
    throw new Error(`${AT}.maxDaysWithoutSuccess: a whole number of days from 1 to 90 (got ${days})`);
  }
  const checks = props.checks ?? {};
  for (const table of checks.tables ?? []) {
    if (!QUALIFIED.test(table.table)) throw new Error(`${AT}.checks.tables: "${table.table}" must be a table or schema.table name`);
    if (table.minRows !== undefined && !(Number.isInteger(table.minRows) && table.minRows >= 0)) {
      throw new Error(`${AT}.checks.tables: minRows of ${table.table} must be a whole number ≥ 0 (got ${table.minRows})`);
    }
  }
  if (checks.freshnessColumn !== undefined && !/^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*){1,2}$/.test(checks.freshnessColumn)) {
    throw new Error(`${AT}.checks.freshnessColumn: "${checks.freshnessColumn}" must be table.column or schema.table.column`);
  }
  if (checks.freshnessColumn !== undefined && (checks.heartbeat || props.heartbeat)) {
    throw new Error(`${AT}.checks: choose freshnessColumn or heartbeat, not both (both measure the RPO)`);
  }
  const names = (checks.sql ?? []).map((c) => c.name);
  if (checks.heartbeat && !props.heartbeat) {
    throw new Error(`${AT}.checks.heartbeat: set heartbeat: true so the drill writes the heartbeat it checks`);
  }
  if (new Set(names).size !== names.length) throw new Error(`${AT}.checks.sql: check names must be unique (got ${names.join(', ')})`);
  for (const sql of checks.sql ?? []) {
    if (Object.keys(sql.expect).length === 0) throw new Error(`${AT}.checks.sql: "${sql.name}" needs an expectation (equals, min or max)`);
  }
}
