export * from './first-migration';
export * from './image-repository';
export * from './image-version';
export * from './release-pipeline';
export * from './release-pipeline-props';
