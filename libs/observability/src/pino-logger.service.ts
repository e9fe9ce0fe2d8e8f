import { type Level, type Logger } from 'pino';

/** A stack trace as NestJS hands it to `error(message, stack, context)`. */
const STACK = /\n\s+at /;

/**
 * NestJS's `LoggerService` over pino, for the code outside a request (the engine's
 * `new Logger('DeliveryWorker').warn(...)`, Nest's own start-up lines). Each call is one JSON line with
 * `context`; a message that is an object is merged into the line (`{ msg, deliveryId, ... }`), so the
 * engine can log ids as fields through NestJS's `Logger`. It matches the interface structurally: this
 * lib imports nothing of NestJS.
 */
export class PinoLoggerService {
  constructor(
    /** The process's pino logger; the API's request lines (pino-http) write through it too. */
    readonly pino: Logger,
    /** The `context` of lines that name none. */
    private readonly defaultContext?: string,
  ) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const { fields, msg } = lineOf(message, params, this.defaultContext);
    this.pino[level](fields, msg);
  }
}

/**
 * The fields and message of one NestJS logger call. NestJS puts the context last
 * (`message, ...params, context`) and, for `error`, a stack first; other params are kept as `params`.
 */
export function lineOf(
  message: unknown,
  params: readonly unknown[],
  defaultContext?: string,
): { fields: Record<string, unknown>; msg: string | undefined } {
  const rest = params.filter((p) => p !== undefined);
  const last = rest[rest.length - 1];
  const context = typeof last === 'string' && !STACK.test(last) ? (rest.pop() as string) : null;
  const fields: Record<string, unknown> = { context: context ?? defaultContext };
  if (typeof rest[0] === 'string' && STACK.test(rest[0])) fields['stack'] = rest.shift();
  if (rest.length > 0) fields['params'] = rest;
  if (message instanceof Error)
    return { fields: { ...fields, err: message }, msg: message.message };
  if (message !== null && typeof message === 'object') {
    const { msg, ...own } = message as Record<string, unknown>;
    return { fields: { ...fields, ...own }, msg: typeof msg === 'string' ? msg : undefined };
  }
  return { fields, msg: typeof message === 'string' ? message : String(message) };
}
