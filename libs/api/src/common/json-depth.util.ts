/** The deepest nesting of arrays and objects a JSON request body may have. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Whether JSON text nests arrays and objects deeper than `max`, in one pass over the UTF-8 bytes
 * without recursion or parsing (brackets inside strings do not count), so a 10,000-deep body is
 * refused in microseconds before anything walks it. Malformed text is left to the parser.
 */
export function jsonDeeperThan(bytes: Uint8Array, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      depth += 1;
      if (depth > max) return true;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth -= 1;
    }
  }
  return false;
}

/** The body-parser error type of a body nested too deep (`toApiError` maps it to `JSON_TOO_DEEP`). */
export const JSON_TOO_DEEP_TYPE = 'entity.too.deep';

/** What body-parser's `verify` throws for a body nested too deep. */
export class JsonTooDeepError extends Error {
  readonly type = JSON_TOO_DEEP_TYPE;
  readonly status = 400;

  constructor(readonly max: number) {
    super(`JSON nested deeper than ${max} levels`);
    this.name = 'JsonTooDeepError';
  }
}

/**
 * A body-parser `verify` step that refuses JSON nested deeper than `max`. UTF-8 bodies are scanned
 * as bytes (a multi-byte character never holds an ASCII byte); UTF-16 or UTF-32 ones are decoded
 * first.
 */
export function verifyJsonDepth(max: number = MAX_JSON_DEPTH) {
  return (_request: unknown, _response: unknown, body: Buffer, encoding: string): void => {
    const bytes = /^utf-?8$/i.test(encoding)
      ? body
      : Buffer.from(new TextDecoder(encoding).decode(body), 'utf8');
    if (jsonDeeperThan(bytes, max)) throw new JsonTooDeepError(max);
  };
}
