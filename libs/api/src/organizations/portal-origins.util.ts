import { ErrorCode, type FieldError } from '../common/api-error';

export const MAX_PORTAL_ORIGINS = 20;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const HOST_NAME =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Why `value` is not an origin that may embed the portal, or null when it is one: `https://host[:port]`
 * exactly as a browser writes it (lower case, no default port, no path), or `http://` on a loopback
 * host for local development. These go verbatim into a `frame-ancestors` header, so nothing else
 * (wildcards, paths, spaces, semicolons) gets through.
 */
export function originProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an origin such as https://app.example.com';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)))
    return 'must use https (http only for localhost, 127.0.0.1 or [::1])';
  if (url.origin !== value)
    return `must be an origin only (scheme, host and port, no path or trailing slash): ${url.origin}`;
  if (url.hostname !== '[::1]' && !HOST_NAME.test(url.hostname))
    return 'must name a host (no wildcards)';
  return null;
}

/** One field error per origin that is not one, named by its index. */
export function portalOriginErrors(origins: readonly string[]): FieldError[] {
  return origins.flatMap((origin, index) => {
    const problem = originProblem(origin);
    return problem === null
      ? []
      : [
          {
            path: `portalAllowedOrigins[${index}]`,
            message: problem,
            code: ErrorCode.VALIDATION_FAILED,
          },
        ];
  });
}
