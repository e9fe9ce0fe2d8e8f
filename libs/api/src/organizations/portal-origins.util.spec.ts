import { originProblem, portalOriginErrors } from './portal-origins.util';

describe('portal origins', () => {
  it.each([
    'https://app.example.com',
    'https://app.example.com:8443',
    'http://localhost:5173',
    'http://127.0.0.1:3000',
    'http://[::1]:8080',
  ])('accepts %s', (origin) => {
    expect(originProblem(origin)).toBeNull();
  });

  it.each([
    ['a path', 'https://app.example.com/settings'],
    ['a trailing slash', 'https://app.example.com/'],
    ['the default port', 'https://app.example.com:443'],
    ['upper case', 'https://App.example.com'],
    ['plain http to a public host', 'http://app.example.com'],
    ['a wildcard', 'https://*.example.com'],
    ['a keyword', "'self'"],
    ['a second source', 'https://a.example.com https://b.example.com'],
    ['a directive break', 'https://a.example.com;script-src *'],
    ['credentials', 'https://user@app.example.com'],
    ['another scheme', 'ftp://app.example.com'],
  ])('refuses %s', (_, origin) => {
    expect(originProblem(origin)).toEqual(expect.any(String));
  });

  it('names each bad origin by its index', () => {
    expect(
      portalOriginErrors(['https://ok.example.com', 'https://bad.example.com/', 'nope']).map(
        (e) => e.path,
      ),
    ).toEqual(['portalAllowedOrigins[1]', 'portalAllowedOrigins[2]']);
  });
});
