/** The console's CSP apart from `frame-ancestors`: its own scripts, https images, inline styles. */
const BASE_POLICY =
  "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'";

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const NO_CACHE = 'no-cache';

/**
 * The security headers of a console response. `frameAncestors` are the origins that may embed the
 * page (validated origins, never keywords); none = no embedding, which old browsers also learn from
 * `X-Frame-Options`.
 */
export function consoleSecurityHeaders(frameAncestors: readonly string[]): Record<string, string> {
  const ancestors = frameAncestors.length > 0 ? frameAncestors.join(' ') : "'none'";
  return {
    'content-security-policy': `${BASE_POLICY}; frame-ancestors ${ancestors}`,
    ...(frameAncestors.length === 0 && { 'x-frame-options': 'DENY' }),
    'x-content-type-options': 'nosniff',
    // The portal's URL names its session; keep it out of the Referer of links the page follows.
    'referrer-policy': 'no-referrer',
  };
}

/**
 * Hashed build output (`assets/`) never changes under its name; everything else, `index.html` first,
 * is revalidated so a new build shows at the next load.
 */
export function consoleCacheControl(relativePath: string): string {
  return relativePath.startsWith('assets/') ? IMMUTABLE : NO_CACHE;
}

/**
 * Whether a console path is the portal's page, whose embedding the session's organization decides:
 * `/console/portal` alone, the one page a portal link opens (the portal's screens after it are
 * client-side navigations of that page). Any other path, `portal/…` included, keeps
 * `frame-ancestors 'none'`, so no admin screen can be loaded into a frame through it.
 */
export function isPortalPage(relativePath: string): boolean {
  return relativePath === 'portal';
}
