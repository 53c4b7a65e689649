export * from './config';
export * from './load';
export * from './profiles';
export * from './schema';
