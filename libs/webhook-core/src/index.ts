export * from './topics';
export * from './ids';
