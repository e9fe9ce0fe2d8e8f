export * from './duration';
export * from './endpoint-state';
export * from './ids';
export * from './retry-policy';
export * from './rotation';
export * from './signing';
export * from './topics';
export * from './validation';
