import { type AuthContext } from '../auth/auth-context';

/**
 * The endpoints a caller may see and act on: `null` for every endpoint of its organization (an API
 * key), else a portal session's list. Anything outside answers 404, exactly as another tenant's id.
 */
export type EndpointScope = readonly string[] | null;

/** The scope of a request; one that somehow carries no authentication reaches no endpoint. */
export function scopeOf(auth: AuthContext | undefined): EndpointScope {
  return auth ? auth.endpointIds : [];
}

/** Whether the scope holds the endpoint. */
export function reaches(scope: EndpointScope, endpointId: string): boolean {
  return scope === null || scope.includes(endpointId);
}
