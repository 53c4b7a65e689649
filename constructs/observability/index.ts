export * from './app-metrics';
export * from './collector-config';
export * from './prometheus-monitoring';
export * from './prometheus-monitoring-props';
export * from './prometheus-rules';
