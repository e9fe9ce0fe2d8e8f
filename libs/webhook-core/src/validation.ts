/**
 * Field rules shared by every API dialect. Each rule takes the value as it arrived (any JS type),
 * never throws, and reports the field at fault with a stable code; dialects pass their own field
 * path (`url`, `requestConfig.headers.X-A`, `api_header_field`, ...) and shape the error body.
 * SSRF and private-address checks are not made here: they belong to the outbound guard.
 */
import { type TopicCatalogue, isTopicName, isTopicPattern, MAX_TOPIC_LENGTH } from './topics';
import { CREDENTIAL_HEADERS, FRAMING_HEADERS, isReservedHeaderName } from './header-validation';
import { collectViolations, type FieldViolation, ValidationCode, violation } from './violations';

export * from './violations';
export * from './header-validation';

/** Longest accepted endpoint URL, in characters. */
export const MAX_URL_LENGTH = 2048;
/** Longest accepted endpoint name, in Unicode code points. */
export const MAX_NAME_LENGTH = 100;
/** Longest accepted endpoint description, in Unicode code points. */
export const MAX_DESCRIPTION_LENGTH = 500;
/** Request timeout bounds and default, in milliseconds. */
export const MIN_TIMEOUT_MS = 1000;
export const MAX_TIMEOUT_MS = 30000;
export const DEFAULT_TIMEOUT_MS = 5000;
/** Longest outbound-authentication field (username, password, header name, API key). */
export const MAX_AUTH_FIELD_LENGTH = 256;

/** C0 and C1 controls, DEL, line/paragraph separators and lone surrogates. */
const CONTROL_OR_BROKEN = /[\p{Cc}\p{Cs}\u2028\u2029]/u;
/** Like {@link CONTROL_OR_BROKEN} but tab, CR and LF are ordinary text in a description. */
const DESCRIPTION_FORBIDDEN = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\p{Cs}]/u;

function codePointLength(value: string): number {
  let length = 0;
  for (const _ of value) length++;
  return length;
}

// ---------------------------------------------------------------------------------------------
// URL

/** Whitespace or control characters anywhere in the raw URL (the parser would silently drop or encode them). */
const URL_WHITESPACE_OR_CONTROL = /[\s\p{Cc}]/u;
const URL_SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * An endpoint URL: an absolute `https:` URL (or `http:` when `allowHttp`; with `'loopback'`, `http:` to
 * 127.0.0.1, [::1] and localhost only) with a host and without
 * user info. The raw string must spell `scheme://host` itself: WHATWG `URL` would otherwise turn
 * `https:///nohost`, `https:host` or `https:\\host` into a host silently. Backslashes are refused for
 * the same reason (parsers disagree on them).
 */
export function validateUrl(
  value: unknown,
  options: { allowHttp: boolean | 'loopback' },
  field = 'url',
): FieldViolation | null {
  const invalid = (message: string) => violation(field, ValidationCode.URL_INVALID, message);
  if (typeof value !== 'string') return invalid('must be a string');
  if (value.length === 0) return invalid('must not be empty');
  if (value.length > MAX_URL_LENGTH) return invalid(`must be at most ${MAX_URL_LENGTH} characters`);
  if (URL_WHITESPACE_OR_CONTROL.test(value)) {
    return invalid('must not contain spaces or control characters');
  }
  const scheme = URL_SCHEME.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return invalid('must be an absolute URL');
  if (scheme !== 'http' && scheme !== 'https') {
    return violation(
      field,
      ValidationCode.URL_SCHEME_NOT_ALLOWED,
      `scheme "${scheme}:" is not allowed; use https`,
    );
  }
  if (value.includes('\\')) return invalid('must not contain backslashes');
  const rest = value.slice(scheme.length + 1);
  if (!rest.startsWith('//') || /^[/?#]/.test(rest.slice(2)) || rest.length === 2) {
    return invalid('must have a host');
  }
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return invalid('is not a valid URL');
  }
  if (parsed.hostname === '') return invalid('must have a host');
  const authority = rest.slice(2).split(/[/?#]/, 1)[0] ?? '';
  if (authority.includes('@') || parsed.username !== '' || parsed.password !== '') {
    return violation(
      field,
      ValidationCode.URL_CREDENTIALS_NOT_ALLOWED,
      'must not contain credentials; configure outbound authentication instead',
    );
  }
  if (scheme === 'http' && !options.allowHttp) {
    return violation(field, ValidationCode.URL_MUST_BE_HTTPS, 'must use https');
  }
  if (
    scheme === 'http' &&
    options.allowHttp === 'loopback' &&
    !LOOPBACK_HOSTS.has(parsed.hostname)
  ) {
    return violation(
      field,
      ValidationCode.URL_MUST_BE_HTTPS,
      'must use https (local mode allows http only to 127.0.0.1, [::1] and localhost)',
    );
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Name and description

/** An endpoint name: a string of 1..100 code points, not blank, without control characters. */
export function validateName(value: unknown, field = 'name'): FieldViolation | null {
  const invalid = (message: string) => violation(field, ValidationCode.NAME_INVALID, message);
  if (typeof value !== 'string') return invalid('must be a string');
  if (value.trim().length === 0) return invalid('must not be empty');
  if (codePointLength(value) > MAX_NAME_LENGTH) {
    return invalid(`must be at most ${MAX_NAME_LENGTH} characters`);
  }
  if (CONTROL_OR_BROKEN.test(value)) return invalid('must not contain control characters');
  return null;
}

/**
 * An endpoint description: `null` (clears it) or a string of at most 500 code points. Tabs and line
 * breaks are allowed; other control characters are not.
 */
export function validateDescription(value: unknown, field = 'description'): FieldViolation | null {
  const invalid = (message: string) =>
    violation(field, ValidationCode.DESCRIPTION_INVALID, message);
  if (value === null) return null;
  if (typeof value !== 'string') return invalid('must be a string or null');
  if (codePointLength(value) > MAX_DESCRIPTION_LENGTH) {
    return invalid(`must be at most ${MAX_DESCRIPTION_LENGTH} characters`);
  }
  if (DESCRIPTION_FORBIDDEN.test(value)) return invalid('must not contain control characters');
  return null;
}

// ---------------------------------------------------------------------------------------------
// Topics

/**
 * A list of topics (or, when `allowPatterns`, `*` patterns). Malformed entries and duplicates are
 * TOPIC_INVALID; well-formed names missing from the catalogue, and patterns selecting nothing in
 * it, are TOPIC_UNKNOWN. Entries are reported as `${field}[i]`.
 */
export function validateTopics(
  values: unknown,
  catalogue: TopicCatalogue,
  options: { allowPatterns: boolean; allowEmpty?: boolean },
  field = 'topics',
): FieldViolation[] {
  if (!Array.isArray(values)) {
    return [violation(field, ValidationCode.TOPIC_INVALID, 'must be a list of topics')];
  }
  const list: readonly unknown[] = values;
  if (list.length === 0 && options.allowEmpty !== true) {
    return [violation(field, ValidationCode.TOPIC_INVALID, 'must name at least one topic')];
  }
  const violations: FieldViolation[] = [];
  const seen = new Set<string>();
  list.forEach((topic, i) => {
    const at = `${field}[${i}]`;
    const result = checkTopic(topic, catalogue, options.allowPatterns, seen, at);
    if (result !== null) violations.push(result);
    if (typeof topic === 'string') seen.add(topic);
  });
  return violations;
}

function checkTopic(
  topic: unknown,
  catalogue: TopicCatalogue,
  allowPatterns: boolean,
  seen: ReadonlySet<string>,
  at: string,
): FieldViolation | null {
  const invalid = (message: string) => violation(at, ValidationCode.TOPIC_INVALID, message);
  if (typeof topic !== 'string') return invalid('must be a string');
  if (topic.length > MAX_TOPIC_LENGTH) {
    return invalid(`must be at most ${MAX_TOPIC_LENGTH} characters`);
  }
  if (seen.has(topic)) return invalid(`duplicate topic "${topic}"`);
  if (isTopicName(topic)) {
    return catalogue.has(topic)
      ? null
      : violation(at, ValidationCode.TOPIC_UNKNOWN, `unknown topic "${topic}"`);
  }
  if (allowPatterns && isTopicPattern(topic)) {
    return catalogue.selectsAny(topic)
      ? null
      : violation(at, ValidationCode.TOPIC_UNKNOWN, `pattern "${topic}" selects no known topic`);
  }
  return invalid(
    allowPatterns
      ? 'must be lower-case dot-separated segments of [a-z0-9_] or *'
      : 'must be lower-case dot-separated segments of [a-z0-9_]',
  );
}

// ---------------------------------------------------------------------------------------------
// Timeout

/** A request timeout: an integer number of milliseconds from 1000 to 30000. */
export function validateTimeoutMs(
  value: unknown,
  field = 'requestConfig.timeoutMs',
): FieldViolation | null {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < MIN_TIMEOUT_MS ||
    value > MAX_TIMEOUT_MS
  ) {
    return violation(
      field,
      ValidationCode.TIMEOUT_INVALID,
      `must be an integer from ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS} milliseconds`,
    );
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Outbound authentication (platform-style field formats)

/**
 * The platform style's username/password format, verbatim. Inside the class, `&-_` is a range from
 * `&` to `_`: it admits `'()*+,-./0-9:;<=>?@A-Z[\]^_` as well as the listed characters.
 */
export const BASIC_CREDENTIAL_PATTERN = /^[a-zA-Z0-9!#$%&-_.*]*$/;
/** The platform style's `api_header_field` format. */
export const API_HEADER_FIELD_PATTERN = /^[a-zA-Z0-9_-]*$/;
/** The platform style's `api_key` format. */
export const API_KEY_PATTERN = /^[a-zA-Z0-9]*$/;

/** Outbound authentication, as the core stores it. */
export type OutboundAuthentication =
  | { type: 'none' }
  | { type: 'basic'; username: string; password: string }
  | { type: 'api_key'; headerName: string; apiKey: string };

function checkAuthField(
  value: unknown,
  pattern: RegExp,
  what: string,
  field: string,
): FieldViolation | null {
  const invalid = (message: string) => violation(field, ValidationCode.AUTH_INVALID, message);
  if (typeof value !== 'string') return invalid(`${what} must be a string`);
  if (value.length === 0) return invalid(`${what} must not be empty`);
  if (value.length > MAX_AUTH_FIELD_LENGTH) {
    return invalid(`${what} must be at most ${MAX_AUTH_FIELD_LENGTH} characters`);
  }
  if (!pattern.test(value)) return invalid(`${what} must match ${pattern.source}`);
  return null;
}

/**
 * A basic-auth username: 1..256 characters of the platform pattern, and no `:` (which the pattern's
 * `&-_` range admits, but which basic auth cannot carry in a username).
 */
export function validateBasicUsername(
  value: unknown,
  field = 'authentication.username',
): FieldViolation | null {
  const fault = checkAuthField(value, BASIC_CREDENTIAL_PATTERN, 'username', field);
  if (fault !== null) return fault;
  if (typeof value === 'string' && value.includes(':')) {
    return violation(field, ValidationCode.AUTH_INVALID, 'username must not contain ":"');
  }
  return null;
}

/** A basic-auth password: 1..256 characters of the platform pattern (`:` is fine here). */
export function validateBasicPassword(
  value: unknown,
  field = 'authentication.password',
): FieldViolation | null {
  return checkAuthField(value, BASIC_CREDENTIAL_PATTERN, 'password', field);
}

/**
 * The header that carries an API key: 1..256 of `[a-zA-Z0-9_-]`, and not a hop-by-hop, framing or
 * signature header, nor `Proxy-Authorization` or `Cookie`. `Authorization` is allowed: this is the
 * outbound authentication the custom-header rule points to.
 */
export function validateApiHeaderField(
  value: unknown,
  field = 'authentication.headerName',
): FieldViolation | null {
  const fault = checkAuthField(value, API_HEADER_FIELD_PATTERN, 'header name', field);
  if (fault !== null) return fault;
  const lower = typeof value === 'string' ? value.toLowerCase() : '';
  if (
    FRAMING_HEADERS.has(lower) ||
    isReservedHeaderName(lower) ||
    (CREDENTIAL_HEADERS.has(lower) && lower !== 'authorization')
  ) {
    return violation(
      field,
      ValidationCode.AUTH_INVALID,
      `header "${String(value)}" cannot carry an API key`,
    );
  }
  return null;
}

/** An API key: 1..256 of `[a-zA-Z0-9]`. */
export function validateApiKey(
  value: unknown,
  field = 'authentication.apiKey',
): FieldViolation | null {
  return checkAuthField(value, API_KEY_PATTERN, 'API key', field);
}

/**
 * Outbound authentication: `none`, `basic` (username, password) or `api_key` (headerName,
 * apiKey). An unknown or missing `type` is reported on `${field}.type`; other fields on
 * `${field}.<name>`. Messages never echo the password or key.
 */
export function validateAuthentication(auth: unknown, field = 'authentication'): FieldViolation[] {
  if (typeof auth !== 'object' || auth === null || Array.isArray(auth)) {
    return [violation(field, ValidationCode.AUTH_INVALID, 'must be an object with a type')];
  }
  const candidate = auth as Record<string, unknown>;
  switch (candidate['type']) {
    case 'none':
      return [];
    case 'basic':
      return collectViolations(
        validateBasicUsername(candidate['username'], `${field}.username`),
        validateBasicPassword(candidate['password'], `${field}.password`),
      );
    case 'api_key':
      return collectViolations(
        validateApiHeaderField(candidate['headerName'], `${field}.headerName`),
        validateApiKey(candidate['apiKey'], `${field}.apiKey`),
      );
    default:
      return [
        violation(
          `${field}.type`,
          ValidationCode.AUTH_INVALID,
          'type must be one of none, basic, api_key',
        ),
      ];
  }
}
