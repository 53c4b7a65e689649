export * from './cli-context';
export * from './drill';
export * from './main';
