export * from './app-secrets';
export * from './credential-rotation';
export * from './database-user';
export * from './injected-secret';
export * from './rotation-failure-signal';
export * from './rotation-rollout';
