export * from './cli-context';
export * from './command';
export * from './drill';
export * from './main';
