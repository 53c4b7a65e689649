export * from './credential-rotation';
export * from './database-user';
