import { consoleCacheControl, consoleSecurityHeaders, isPortalPage } from './console-headers.util';

describe('consoleSecurityHeaders', () => {
  it('forbids framing, in the CSP and in X-Frame-Options, when no origin may frame the page', () => {
    const headers = consoleSecurityHeaders([]);
    expect(headers['content-security-policy']).toBe(
      "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    );
    expect(headers['x-frame-options']).toBe('DENY');
  });

  it('lists the allowed origins as frame ancestors, without X-Frame-Options', () => {
    const headers = consoleSecurityHeaders(['https://a.example.com', 'http://localhost:5173']);
    expect(headers['content-security-policy']).toMatch(
      /; frame-ancestors https:\/\/a\.example\.com http:\/\/localhost:5173$/,
    );
    expect(headers).not.toHaveProperty('x-frame-options');
  });
});

describe('consoleCacheControl', () => {
  it('keeps hashed assets for a year and revalidates everything else', () => {
    expect(consoleCacheControl('assets/index-1a2b3c.js')).toBe(
      'public, max-age=31536000, immutable',
    );
    expect(consoleCacheControl('index.html')).toBe('no-cache');
    expect(consoleCacheControl('favicon.svg')).toBe('no-cache');
    expect(consoleCacheControl('endpoints/assets/x')).toBe('no-cache');
  });
});

describe('isPortalPage', () => {
  it('X13 is the page a portal link opens and no other, so no admin screen takes its frame-ancestors', () => {
    expect(isPortalPage('portal')).toBe(true);
    expect(isPortalPage('portal/endpoints')).toBe(false);
    expect(isPortalPage('portal/api-keys')).toBe(false);
    expect(isPortalPage('portals')).toBe(false);
    expect(isPortalPage('endpoints')).toBe(false);
  });
});
