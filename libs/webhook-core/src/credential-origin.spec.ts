import { credentialsLeftBehind, type OriginBoundCredentials } from './credential-origin';
import { ValidationCode } from './violations';

const STORED: OriginBoundCredentials = {
  url: 'https://hooks.example.com/in',
  authType: 'basic',
  headers: { 'X-Customer-Token': 'tok', 'X-Tenant': 'acme' },
};

function fields(
  stored: OriginBoundCredentials,
  update: Parameters<typeof credentialsLeftBehind>[1],
) {
  return credentialsLeftBehind(stored, update).map((v) => v.field);
}

describe('credentialsLeftBehind', () => {
  it('X1 names the stored password and each write-only header when the URL moves to another host', () => {
    const violations = credentialsLeftBehind(STORED, { url: 'https://elsewhere.example/in' });
    expect(violations.map((v) => [v.field, v.code])).toEqual([
      ['authentication.password', ValidationCode.CREDENTIALS_ORIGIN_CHANGED],
      ['requestConfig.headers.X-Customer-Token', ValidationCode.CREDENTIALS_ORIGIN_CHANGED],
    ]);
    expect(violations[0]?.message).toContain('https://hooks.example.com');
  });

  it('X1 names the API-key value of an api_key endpoint', () => {
    expect(
      fields({ ...STORED, authType: 'api_key', headers: {} }, { url: 'https://elsewhere.example' }),
    ).toEqual(['authentication.apiKey']);
  });

  it('X1 treats another scheme or port as another origin', () => {
    expect(fields(STORED, { url: 'http://hooks.example.com/in' })).toHaveLength(2);
    expect(fields(STORED, { url: 'https://hooks.example.com:8443/in' })).toHaveLength(2);
  });

  it('X1 keeps the credentials on a path-only change, default port and host case included', () => {
    expect(fields(STORED, { url: 'https://hooks.example.com/other?x=1' })).toEqual([]);
    expect(fields(STORED, { url: 'https://HOOKS.example.com:443/in' })).toEqual([]);
  });

  it('X1 lets an update that gives or clears the credentials move the origin', () => {
    const url = 'https://elsewhere.example/in';
    expect(fields(STORED, { url, authentication: { type: 'none' }, headers: {} })).toEqual([]);
    expect(
      fields(STORED, {
        url,
        authentication: { type: 'basic', username: 'u', password: 'new' },
        headers: { 'X-Customer-Token': 'new' },
      }),
    ).toEqual([]);
    expect(fields(STORED, { url, headers: {} })).toEqual(['authentication.password']);
  });

  it('X1 has nothing to say without a URL change or without credentials', () => {
    expect(fields(STORED, { authentication: { type: 'none' } })).toEqual([]);
    expect(
      fields(
        { ...STORED, authType: 'none', headers: { 'X-Tenant': 'acme' } },
        { url: 'https://b.example' },
      ),
    ).toEqual([]);
  });
});
