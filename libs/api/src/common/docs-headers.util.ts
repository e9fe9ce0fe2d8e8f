/**
 * The security headers of the API docs (Swagger UI at `/docs`), which share an origin with the
 * console: a script that ran there could read a signed-in console's key. Swagger UI loads its
 * bundle, its preset and its init script from `/docs` itself (no inline script, no eval), styles the
 * page with inline `<style>` blocks and style attributes, draws its icons from `data:` URIs, and its
 * "Try it out" calls this origin; nothing else is allowed, and no one may frame it.
 */
export const DOCS_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
