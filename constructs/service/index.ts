export * from './fargate-size';
export * from './health-timing';
export * from './redundant-service';
export * from './redundant-service-props';
export * from './resolve-service-props';
export * from './release-options';
export * from './blue-green-routing';
export * from './deployment-guard';
