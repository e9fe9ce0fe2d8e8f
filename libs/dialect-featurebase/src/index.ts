export * from './featurebase.module';
