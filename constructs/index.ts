export * from './network';
export * from './service';
export * from './database';
export * from './secrets';
export * from './restore-drill';
export * from './alarms';
export * from './pipeline';
export * from './observability';
