import { portalSessionState, portalUrl, subscriptionCeilingsOf } from './portal-session.util';

describe('portalSessionState', () => {
  const expiresAt = new Date('2026-03-01T12:00:00.000Z');

  it('is active until the expiry instant and expired from it on', () => {
    expect(
      portalSessionState({ expiresAt, revokedAt: null }, new Date(expiresAt.getTime() - 1)),
    ).toBe('active');
    expect(portalSessionState({ expiresAt, revokedAt: null }, expiresAt)).toBe('expired');
  });

  it('is revoked once revoked, whatever the expiry', () => {
    const revokedAt = new Date('2026-03-01T11:00:00.000Z');
    expect(portalSessionState({ expiresAt, revokedAt }, new Date('2026-03-01T11:30:00.000Z'))).toBe(
      'revoked',
    );
  });
});

describe('portalUrl', () => {
  it('puts the session id in the query and the token in the fragment', () => {
    const url = new URL(portalUrl('https://hooks.example.com/', 'a'.repeat(24), 'hkp_x-y_z'));
    expect(url.origin + url.pathname).toBe('https://hooks.example.com/console/portal');
    expect(url.searchParams.get('session')).toBe('a'.repeat(24));
    expect(url.search).not.toContain('hkp_');
    expect(url.hash).toBe('#token=hkp_x-y_z');
  });
});

describe('subscriptionCeilingsOf', () => {
  const id = 'a'.repeat(24);
  const ceiling = { topics: ['post.*'], excludedTopics: ['post.deleted'] };

  it('X2 puts no ceiling on an API key or a whole-organization session', () => {
    expect(subscriptionCeilingsOf(null, id)).toBeNull();
    expect(subscriptionCeilingsOf({ endpointIds: null, topicCeilings: null }, id)).toBeNull();
  });

  it('X2 holds an endpoint-scoped session to what it was minted with, or to narrowing alone', () => {
    expect(
      subscriptionCeilingsOf({ endpointIds: [id], topicCeilings: { [id]: ceiling } }, id),
    ).toEqual([ceiling]);
    expect(subscriptionCeilingsOf({ endpointIds: [id], topicCeilings: null }, id)).toEqual([]);
  });
});
