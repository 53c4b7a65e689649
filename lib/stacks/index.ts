export * from './stateful-stack';
export * from './stateless-stack';
export * from './outputs';
