export * from './alarm-recipients';
export * from './config';
export * from './json-schema';
export * from './load';
export * from './profiles';
export * from './rules';
export * from './schema';
export * from './validate';
