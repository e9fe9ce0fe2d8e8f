/**
 * What an operator sees of a running process: structured logs (pino), Prometheus metrics
 * (prom-client) and OpenTelemetry traces. Framework-light: the apps and the engine wire it in.
 */
export * from './metrics';
export * from './logging';
export * from './pino-logger.service';
export * from './tracing';
