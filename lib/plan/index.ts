export * from './cost';
export * from './findings';
export * from './prices';
export * from './recovery';
export * from './report';
export * from './template';
export * from './coverage';
export * from './free-tier';
