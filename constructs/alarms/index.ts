export * from './alarm-rollback';
export * from './alarm-thresholds';
export * from './alarm-topic';
export * from './service-alarms';
export * from './service-dashboard';
export * from './rollback-timing';
