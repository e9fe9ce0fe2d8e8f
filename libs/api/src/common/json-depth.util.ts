import { markBodySuspect } from './unsupported-text.util';

/** The deepest nesting of arrays and objects a JSON request body may have. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** What `scanJson` found: nothing, a nesting deeper than allowed, an escape of unsupported text. */
export const JsonScan = { CLEAN: 0, TOO_DEEP: 1, SUSPECT_TEXT: 2 } as const;
export type JsonScan = (typeof JsonScan)[keyof typeof JsonScan];

const LOWER_U = 0x75;

/**
 * Whether JSON text nests arrays and objects deeper than `max`, in one pass over the UTF-8 bytes
 * without recursion or parsing (brackets inside strings do not count), so a 10,000-deep body is
 * refused in microseconds before anything walks it. Malformed text is left to the parser.
 */
export function jsonDeeperThan(bytes: Uint8Array, max: number = MAX_JSON_DEPTH): boolean {
  return scanJson(bytes, max) === JsonScan.TOO_DEEP;
}

/**
 * One pass over JSON text as UTF-8 bytes: TOO_DEEP when arrays and objects nest deeper than `max`
 * (the scan stops there); else SUSPECT_TEXT when a string holds the escape of text PostgreSQL cannot
 * store (`\u0000`, a `\ud800`-`\udfff` escape not in a high-low pair), so only such a body is walked
 * after parsing; else CLEAN. UTF-8 bytes cannot carry a surrogate or a raw NUL inside a string that
 * parses, so escapes are the only way in.
 */
export function scanJson(bytes: Uint8Array, max: number = MAX_JSON_DEPTH): JsonScan {
  let depth = 0;
  let inString = false;
  let suspect = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) {
        if (bytes[i + 1] !== LOWER_U) {
          i += 1;
          continue;
        }
        const unit = hex4(bytes, i + 2);
        if (unit >= 0xd800 && unit <= 0xdbff) {
          const low =
            bytes[i + 6] === BACKSLASH && bytes[i + 7] === LOWER_U ? hex4(bytes, i + 8) : -1;
          if (low >= 0xdc00 && low <= 0xdfff) {
            i += 11;
            continue;
          }
          suspect = true;
        } else if (unit === 0 || (unit >= 0xdc00 && unit <= 0xdfff)) {
          suspect = true;
        }
        i += 5;
      } else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      depth += 1;
      if (depth > max) return JsonScan.TOO_DEEP;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth -= 1;
    }
  }
  return suspect ? JsonScan.SUSPECT_TEXT : JsonScan.CLEAN;
}

/** The code unit of four hex digits at `at`, or -1 when they are not four hex digits. */
function hex4(bytes: Uint8Array, at: number): number {
  let unit = 0;
  for (let i = at; i < at + 4; i += 1) {
    const digit = hexDigit(bytes[i]);
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

function hexDigit(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
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
 * A body-parser `verify` step over the raw bytes: refuses JSON nested deeper than `max`, and marks a
 * request whose body holds an escape of unsupported text so that `refuseUnsupportedText` walks it
 * once parsed (and names the field). UTF-8 bodies are scanned as bytes (a multi-byte character never
 * holds an ASCII byte); UTF-16 or UTF-32 ones are decoded first, and always walked, since their
 * decoding can carry a lone surrogate without an escape.
 */
export function verifyJsonBody(max: number = MAX_JSON_DEPTH) {
  return (request: object, _response: unknown, body: Buffer, encoding: string): void => {
    const utf8 = /^utf-?8$/i.test(encoding);
    const bytes = utf8 ? body : Buffer.from(new TextDecoder(encoding).decode(body), 'utf8');
    const scan = scanJson(bytes, max);
    if (scan === JsonScan.TOO_DEEP) throw new JsonTooDeepError(max);
    if (scan === JsonScan.SUSPECT_TEXT || !utf8) markBodySuspect(request);
  };
}
