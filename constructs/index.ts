export * from './network';
export * from './service';
