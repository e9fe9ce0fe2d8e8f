export * from './dialect-definition';
export * from './dialect-registry';
export * from './featurebase.dialect';
export * from './native.dialect';
export * from './platform.dialect';
