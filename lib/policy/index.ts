export * from './policy-gate';
export * from './run';
