import { isSensitiveHeaderName } from './validation';

/** What a redacted value reads as. */
export const REDACTED = '[redacted]';

/**
 * A copy of `headers` with the values of auth-like headers replaced: `authorization`, any name
 * `isSensitiveHeaderName` flags, and the names in `alsoSensitive` (e.g. an endpoint's API-key header).
 * Used for API responses, logs and the attempt log alike.
 */
export function redactHeaders(
  headers: Readonly<Record<string, string>>,
  alsoSensitive: readonly (string | null | undefined)[] = [],
): Record<string, string> {
  const extra = new Set(alsoSensitive.filter((n): n is string => !!n).map((n) => n.toLowerCase()));
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => {
      const lower = name.toLowerCase();
      const sensitive =
        lower === 'authorization' || extra.has(lower) || isSensitiveHeaderName(name);
      return [name, sensitive ? REDACTED : value];
    }),
  );
}
