import { isSensitiveHeaderName } from './header-validation';
import { type FieldViolation, ValidationCode, violation } from './violations';

/** What an endpoint holds that is bound to the origin of its URL. */
export interface OriginBoundCredentials {
  readonly url: string;
  readonly authType: 'none' | 'basic' | 'api_key';
  readonly headers: Readonly<Record<string, string>>;
}

/** The parts of an update that move the URL or give the credentials anew; absent = unchanged. */
export interface CredentialsUpdate {
  readonly url?: string;
  readonly authentication?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** `scheme://host:port` of a URL (default ports dropped); null when it does not parse. */
function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * The stored credentials an update would carry to another origin: the basic-auth password
 * (`authentication.password`), the API-key value (`authentication.apiKey`) and every custom header
 * whose value is write-only (`requestConfig.headers.<name>`, see `isSensitiveHeaderName`). A credential is bound to
 * the origin (scheme, host and port) it was given for, so a URL that leaves that origin must come
 * with the credentials given again, or cleared, in the same update; a path-only change keeps them.
 */
export function credentialsLeftBehind(
  stored: OriginBoundCredentials,
  update: CredentialsUpdate,
): FieldViolation[] {
  if (update.url === undefined) return [];
  const from = originOf(stored.url);
  if (from !== null && from === originOf(update.url)) return [];
  const message = (what: string) =>
    `the stored ${what} was given for ${from ?? 'the old URL'}; give it again (or clear it) in the same update to move the URL to another origin`;
  const violations: FieldViolation[] = [];
  if (update.authentication === undefined && stored.authType !== 'none') {
    const [field, what] =
      stored.authType === 'basic'
        ? ['authentication.password', 'password']
        : ['authentication.apiKey', 'API key'];
    violations.push(violation(field, ValidationCode.CREDENTIALS_ORIGIN_CHANGED, message(what)));
  }
  if (update.headers === undefined) {
    for (const name of Object.keys(stored.headers).filter(isSensitiveHeaderName)) {
      violations.push(
        violation(
          `requestConfig.headers.${name}`,
          ValidationCode.CREDENTIALS_ORIGIN_CHANGED,
          message(`value of header ${name}`),
        ),
      );
    }
  }
  return violations;
}
