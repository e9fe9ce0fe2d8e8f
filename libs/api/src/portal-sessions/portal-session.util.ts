import { type PortalSessionEntity, type TopicCeiling } from '@hookyard/data-access';

export const PORTAL_TOKEN_PREFIX = 'hkp_';
export const PORTAL_SESSION_MIN_SECONDS = 300;
export const PORTAL_SESSION_MAX_SECONDS = 604_800;
export const PORTAL_SESSION_DEFAULT_SECONDS = 3600;

export type PortalSessionState = 'active' | 'expired' | 'revoked';

/** Whether a session lets requests through at `now`: it ends at `expiresAt` exactly, or when revoked. */
export function portalSessionState(
  session: Pick<PortalSessionEntity, 'expiresAt' | 'revokedAt'>,
  now: Date,
): PortalSessionState {
  if (session.revokedAt !== null) return 'revoked';
  return session.expiresAt.getTime() <= now.getTime() ? 'expired' : 'active';
}

/**
 * The link that opens the portal: the session id in the query string, which the server reads to set
 * the page's `frame-ancestors`, and the token in the fragment, which never leaves the browser.
 */
export function portalUrl(baseUrl: string, sessionId: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/console/portal?session=${encodeURIComponent(sessionId)}#token=${encodeURIComponent(token)}`;
}

/**
 * The ceilings on one endpoint's subscription for a request: null (no limit) for an API key or a
 * session over the whole organization; for an endpoint-scoped session, what the endpoint had when the
 * session was minted, or none kept (then it may only narrow what the endpoint has now).
 */
export function subscriptionCeilingsOf(
  session: Pick<PortalSessionEntity, 'endpointIds' | 'topicCeilings'> | null,
  endpointId: string,
): TopicCeiling[] | null {
  if (session === null || session.endpointIds === null) return null;
  const ceiling = session.topicCeilings?.[endpointId];
  return ceiling ? [ceiling] : [];
}
