export * from './production-network';
