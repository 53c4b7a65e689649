export * from './restore-drill';
export * from './restore-drill-props';
export type { DrillChecks, SqlCheck, TableCheck } from './runtime/drill-state';
export * from './drill-alarms';
