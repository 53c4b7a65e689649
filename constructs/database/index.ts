export * from './database-backup-plan';
export * from './postgres-versions';
export * from './resilient-database';
export * from './resilient-database-props';
