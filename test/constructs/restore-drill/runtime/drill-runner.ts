import { BackupClient } from '@aws-sdk/client-backup';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { cleanup } from '../../../../constructs/restore-drill/runtime/cleanup';
import type { DrillClients } from '../../../../constructs/restore-drill/runtime/drill-clients';
import type { DrillStepName } from '../../../../constructs/restore-drill/runtime/drill-steps.lambda';
import type { DrillConfig, DrillState } from '../../../../constructs/restore-drill/runtime/drill-state';
import { pickSource } from '../../../../constructs/restore-drill/runtime/pick-source';
import { type DrillMetric, report } from '../../../../constructs/restore-drill/runtime/report';
import { checkAccess, checkRestore, prepareAccess, startRestore } from '../../../../constructs/restore-drill/runtime/restore-copy';

export const START = new Date('2026-11-23T06:00:00Z');

export function drillConfig(overrides: Partial<DrillConfig> = {}): DrillConfig {
  return {
    engine: 'aurora-serverless-v2',
    sourceIdentifier: 'shop-db',
    sourceArn: 'arn:aws:rds:eu-west-1:111111111111:cluster:shop-db',
    source: { mode: 'latest-snapshot' },
    databaseName: 'app',
    subnetGroupName: 'drill-subnets',
    securityGroupId: 'sg-drill',
    kmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/abc',
    instanceClass: 'db.t4g.small',
    restoreTimeoutMinutes: 60,
    checks: {},
    reportBucket: 'drill-reports',
    topicArn: 'arn:aws:sns:eu-west-1:111111111111:drills',
    databaseLabel: 'shop-db',
    ...overrides,
  };
}

export interface RunResult {
  readonly state: DrillState;
  readonly outcome: 'succeeded' | 'failed' | 'cleanup-failed';
  readonly metrics: DrillMetric[];
}

/**
 * Runs the drill's steps the way its state machine does (see drill-state-machine.ts): every
 * step before the report catches into `$.error` and goes on to the report and the cleanup; polls
 * advance a virtual clock by one minute; the cleanup is retried 3 times and polled until done
 * (the cleanup bounds itself: past CLEANUP_TIMEOUT_MINUTES it throws CleanupTimeout).
 */
/**
 * Runs one step of the drill Lambda: `now` is the drill's clock at that moment. The default calls
 * the step modules directly; a test can run the real handler instead.
 */
export type DrillStepInvoker = (step: DrillStepName, state: DrillState, now: Date) => Promise<DrillState>;

export async function runDrill(config: DrillConfig, validate: (state: DrillState) => Promise<DrillState>, invoke?: DrillStepInvoker): Promise<RunResult> {
  let clock = START.getTime();
  const clients: DrillClients = { rds: new RDSClient({ region: 'eu-west-1' }), backup: new BackupClient({ region: 'eu-west-1' }), now: () => new Date(clock) };
  const metrics: DrillMetric[] = [];
  const s3 = new S3Client({ region: 'eu-west-1' });
  const sns = new SNSClient({ region: 'eu-west-1' });
  const direct: Record<DrillStepName, (s: DrillState) => Promise<DrillState>> = {
    pickSource: (s) => pickSource(s, clients),
    startRestore: (s) => startRestore(s, clients),
    checkRestore: (s) => checkRestore(s, clients),
    prepareAccess: (s) => prepareAccess(s, clients),
    checkAccess: (s) => checkAccess(s, clients),
    cleanup: (s) => cleanup(s, clients),
    report: (s) => report(s, { s3, sns, publishMetrics: (m) => metrics.push(...m) }),
  };
  const step = (name: DrillStepName) => (s: DrillState) => (invoke ? invoke(name, s, clients.now()) : direct[name](s));
  let state: DrillState = { config, executionName: 'Weekly-Drill_42', startedAt: START.toISOString() };
  const attempt = async (step: (s: DrillState) => Promise<DrillState>): Promise<boolean> => {
    try {
      state = await step(state);
      return true;
    } catch (error) {
      const e = error as Error;
      state = { ...state, error: { Error: e.name, Cause: JSON.stringify({ errorMessage: e.message }) } };
      return false;
    }
  };
  const poll = async (check: (s: DrillState) => Promise<DrillState>): Promise<boolean> => {
    for (;;) {
      clock += 60_000;
      if (!(await attempt(check))) return false;
      if (state.ready) return true;
    }
  };
  void ((await attempt(step('pickSource'))) &&
    (await attempt(step('startRestore'))) &&
    (await poll(step('checkRestore'))) &&
    (await attempt(step('prepareAccess'))) &&
    (await poll(step('checkAccess'))) &&
    (await attempt(validate)));
  try {
    state = await step('report')(state);
  } catch {
    // Catch → cleanup, as in the state machine.
  }
  for (;;) {
    let cleaned: boolean;
    let failures = 0;
    for (;;) {
      try {
        state = await step('cleanup')(state);
        cleaned = state.cleaned === true;
        break;
      } catch (error) {
        const { name, message } = error as Error;
        if (++failures >= 4) return { state: { ...state, error: { Error: name, Cause: message } }, outcome: 'cleanup-failed', metrics };
      }
    }
    if (cleaned) break;
    clock += 60_000;
  }
  const passed = !state.error && state.validation?.passed === true;
  return { state, outcome: passed ? 'succeeded' : 'failed', metrics };
}
