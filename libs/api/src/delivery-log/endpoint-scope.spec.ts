import { type AuthContext } from '../auth/auth-context';
import { reaches, scopeOf } from './endpoint-scope';

const A = 'a'.repeat(24);
const B = 'b'.repeat(24);

function auth(endpointIds: readonly string[] | null): AuthContext {
  return {
    keyId: 'c'.repeat(24),
    organizationId: 'd'.repeat(24),
    permissions: ['*'],
    operator: false,
    endpointIds,
    portalSessionId: endpointIds === null ? null : 'e'.repeat(24),
  };
}

describe('endpoint scope', () => {
  it('lets an API key reach every endpoint of its organization', () => {
    const scope = scopeOf(auth(null));
    expect(scope).toBeNull();
    expect([reaches(scope, A), reaches(scope, B)]).toEqual([true, true]);
  });

  it('lets a portal session reach only its endpoints', () => {
    const scope = scopeOf(auth([A]));
    expect([reaches(scope, A), reaches(scope, B)]).toEqual([true, false]);
  });

  it('lets a session with an empty list reach nothing', () => {
    expect(reaches(scopeOf(auth([])), A)).toBe(false);
  });

  it('lets a request without authentication reach nothing, rather than everything', () => {
    const scope = scopeOf(undefined);
    expect(scope).toEqual([]);
    expect(reaches(scope, A)).toBe(false);
  });
});
