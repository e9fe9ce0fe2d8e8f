/** What every field rule reports: a stable code and the field at fault. */
/** Every code a validation rule can report. */
export const ValidationCode = {
  URL_INVALID: 'URL_INVALID',
  URL_MUST_BE_HTTPS: 'URL_MUST_BE_HTTPS',
  URL_SCHEME_NOT_ALLOWED: 'URL_SCHEME_NOT_ALLOWED',
  URL_CREDENTIALS_NOT_ALLOWED: 'URL_CREDENTIALS_NOT_ALLOWED',
  NAME_INVALID: 'NAME_INVALID',
  DESCRIPTION_INVALID: 'DESCRIPTION_INVALID',
  TOPIC_INVALID: 'TOPIC_INVALID',
  TOPIC_UNKNOWN: 'TOPIC_UNKNOWN',
  TOO_MANY_HEADERS: 'TOO_MANY_HEADERS',
  HEADER_NAME_INVALID: 'HEADER_NAME_INVALID',
  HEADER_VALUE_INVALID: 'HEADER_VALUE_INVALID',
  HEADER_FORBIDDEN: 'HEADER_FORBIDDEN',
  HEADER_RESERVED: 'HEADER_RESERVED',
  HEADER_TOO_LARGE: 'HEADER_TOO_LARGE',
  TIMEOUT_INVALID: 'TIMEOUT_INVALID',
  AUTH_INVALID: 'AUTH_INVALID',
  /** A URL moved to another origin while a stored credential, given for the old one, would follow. */
  CREDENTIALS_ORIGIN_CHANGED: 'CREDENTIALS_ORIGIN_CHANGED',
} as const;

/** A validation code. */
export type ValidationCode = (typeof ValidationCode)[keyof typeof ValidationCode];

/** One rejected field: its path as the dialect names it, a stable code, and a human message. */
export interface FieldViolation {
  field: string;
  code: ValidationCode;
  message: string;
}

/** The result of one rule: nothing, one violation, or several. */
export type RuleResult = FieldViolation | null | undefined | readonly FieldViolation[];

/** Flattens rule results into one list, dropping the nulls. */
export function collectViolations(...results: readonly RuleResult[]): FieldViolation[] {
  const violations: FieldViolation[] = [];
  for (const result of results) {
    if (result === null || result === undefined) continue;
    if (isViolationList(result)) violations.push(...result);
    else violations.push(result);
  }
  return violations;
}

function isViolationList(
  result: FieldViolation | readonly FieldViolation[],
): result is readonly FieldViolation[] {
  return Array.isArray(result);
}

/** One violation of `field` (for the rule modules of this library). */
export function violation(field: string, code: ValidationCode, message: string): FieldViolation {
  return { field, code, message };
}
