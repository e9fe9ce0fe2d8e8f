export * from './delivery-sender';
export * from './delivery-worker';
export * from './health-sweep.job';
export * from './outbound-client';
export * from './process.util';
export * from './worker-role';
export * from './worker-runtime';
export * from './health-server';
