import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type PinoPretty from 'pino-pretty';
import { type HookyardConfig } from '@hookyard/config';

/** pino-pretty is loaded only for the pretty format (a collector's JSON needs none of it). */
const load = createRequire(__filename);

/** What a redacted value is replaced with, in every log line. */
export const REDACTED = '[redacted]';

/** Fields that hold a credential wherever they appear in a logged object (to three levels down). */
export const SECRET_FIELDS = [
  'secret',
  'secrets',
  'password',
  'apiKey',
  'api_key',
  'signingSecret',
  'token',
  'key',
] as const;

/** Headers censored by name in every header object. */
export const SECRET_HEADERS = ['authorization', 'cookie', 'set-cookie', 'x-api-key'] as const;

/**
 * A header whose name says it carries a credential: the fixed names above, and any name containing
 * one of these words (`x-auth-token`, `webhook-signature`, `x-receiver-key`, ...).
 */
const SECRET_HEADER_NAME = /authorization|cookie|token|secret|signature|password|key/i;

/** Keys whose value is a header object. */
const HEADER_KEYS = ['headers', 'requestHeaders', 'responseHeaders'] as const;

/** Where header objects sit in what Hookyard logs (pino-http's `req`/`res`, the engine's). */
const HEADER_OBJECTS = [
  ...HEADER_KEYS,
  ...['req', 'res', 'request', 'response'].map((at) => `${at}.headers`),
];

const FIELD_SET: ReadonlySet<string> = new Set(SECRET_FIELDS);
const HEADER_KEY_SET: ReadonlySet<string> = new Set(HEADER_KEYS);

/**
 * How deep {@link censorFields} looks: the logged object and three levels below it. Deeper fields
 * are written as they are; nothing Hookyard logs nests a credential further down.
 */
const MAX_DEPTH = 3;

/**
 * pino `redact` paths, all exact (fast-redact's leading wildcards cost some 50 µs a line, ten times
 * the line itself): the secret fields at the top, the fixed headers in the usual header objects.
 * They also cover child-logger bindings; {@link censorFields} covers the nesting and the patterns.
 */
export function redactPaths(): string[] {
  const headers = HEADER_OBJECTS.flatMap((at) => SECRET_HEADERS.map((h) => `${at}["${h}"]`));
  return [...SECRET_FIELDS, ...headers];
}

/** A copy of `headers` with every credential-like header's value replaced by {@link REDACTED}. */
export function censorHeaders(headers: unknown): unknown {
  if (!isPlainObject(headers)) return headers;
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers))
    copy[name] = SECRET_HEADER_NAME.test(name) ? REDACTED : value;
  return copy;
}

/** What a log line keeps of an error. */
export interface LoggedError {
  readonly type: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string | number;
}

/**
 * An error as a log line shows it: its class, message, stack and code, nothing else. pino's own
 * serializer copies every enumerable property, and those carry what must not be logged (a TypeORM
 * `QueryFailedError` has the statement's `parameters`, a signing secret among them, its `query` and
 * the driver's error). A value that is not an error is returned as it is.
 */
export function serializeError(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const code: unknown = (value as { code?: unknown }).code;
  return {
    type: value.constructor.name,
    message: value.message,
    ...(value.stack === undefined ? {} : { stack: value.stack }),
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
  } satisfies LoggedError;
}

/**
 * `object` with the secret fields and the credential-like headers of every header object censored,
 * and every error reduced to {@link serializeError}'s fields, down to three levels below it (plain
 * objects and arrays only: a Buffer or a request is not walked). Copies only what changes, so a line
 * without secrets costs a walk over its keys and no allocation.
 */
export function censorFields(object: Record<string, unknown>, depth = 0): Record<string, unknown> {
  let copy: Record<string, unknown> | null = null;
  for (const name of Object.keys(object)) {
    const value = object[name];
    let censored: unknown = value;
    if (FIELD_SET.has(name)) censored = REDACTED;
    else if (HEADER_KEY_SET.has(name)) censored = censorHeaders(value);
    else if (value instanceof Error) censored = serializeError(value);
    else if (depth < MAX_DEPTH) censored = censorNested(value, depth + 1);
    if (censored !== value) {
      copy ??= { ...object };
      copy[name] = censored;
    }
  }
  return copy ?? object;
}

function censorNested(value: unknown, depth: number): unknown {
  if (value instanceof Error) return serializeError(value);
  if (isPlainObject(value)) return censorFields(value, depth);
  if (!Array.isArray(value)) return value;
  const items = value.map((item: unknown) => censorNested(item, depth));
  return items.some((item, i) => item !== value[i]) ? items : value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * The pino options of every Hookyard process: the configured level, the level as its label
 * (`"level":"warn"`, what people grep for), epoch-millisecond `time`, and the redaction of the
 * contract: pino's `redact` for the exact paths, {@link censorFields} for nested fields and for
 * header names only a pattern finds, the header serializers for child-logger bindings.
 */
export function loggerOptions(level: HookyardConfig['logLevel']): LoggerOptions {
  // Errors are reduced in `formatters.log` already; the serializer covers child-logger bindings.
  const serializers: Record<string, (value: unknown) => unknown> = { err: serializeError };
  for (const key of HEADER_KEYS) serializers[key] = censorHeaders;
  return {
    level,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => censorFields(object),
    },
    timestamp: pino.stdTimeFunctions.epochTime,
    redact: { paths: redactPaths(), censor: REDACTED },
    serializers,
  };
}

/** `HOOKYARD_LOG_FORMAT`, or when unset, pretty for a person at a terminal and JSON for a collector. */
export function chooseLogFormat(
  format: HookyardConfig['logFormat'],
  isTty: boolean,
): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return isTty ? 'pretty' : 'json';
}

export interface LoggerOutput {
  /** Where the lines go (default: stdout, written synchronously so a crash loses none). */
  readonly stream?: DestinationStream;
  /** Whether stdout is a terminal (default: `process.stdout.isTTY`). */
  readonly isTty?: boolean;
}

/**
 * The process's pino logger. Writes are synchronous: a line per request costs a `write(2)`, and in
 * exchange the last lines before a crash or `process.exit` are never lost in a buffer.
 */
export function createLogger(
  config: Pick<HookyardConfig, 'logLevel' | 'logFormat'>,
  output: LoggerOutput = {},
): Logger {
  const isTty = output.isTty ?? process.stdout.isTTY === true;
  const options = loggerOptions(config.logLevel);
  if (chooseLogFormat(config.logFormat, isTty) === 'pretty') {
    const pretty = load('pino-pretty') as typeof PinoPretty;
    return pino(
      options,
      pretty({
        sync: true,
        colorize: isTty,
        destination: output.stream ?? 1,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,context',
        messageFormat: '{if context}[{context}] {end}{msg}',
      }),
    );
  }
  return pino(options, output.stream ?? pino.destination({ dest: 1, sync: true }));
}
