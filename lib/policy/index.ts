export * from './policy-gate';
