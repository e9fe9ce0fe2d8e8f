import { Hookyard, HookyardError, type Whoami } from '@hookyard/sdk';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  createElement,
  type ReactNode,
  useCallback,
  useContext,
  useMemo,
  useState,
} from 'react';

/** Where the console keeps what it signs in with: the tab's sessionStorage, never localStorage. */
export const API_KEY_STORAGE = 'hookyard.apiKey';
export const PORTAL_TOKEN_STORAGE = 'hookyard.portalToken';
/** The organization an operator key acts for, kept beside the key. */
export const ORGANIZATION_STORAGE = 'hookyard.organization';

/** What the console talks to the API with: an organization's API key, or a portal session's token. */
export interface Credential {
  readonly kind: 'apiKey' | 'portal';
  readonly token: string;
}

/** The caller as `GET /v1/whoami` describes it. */
export type { Whoami } from '@hookyard/sdk';

interface Session {
  readonly credential: Credential | null;
  /** The client of tenant-scoped calls: it names `organizationId` when one is chosen. */
  readonly hy: Hookyard | null;
  /** The credential's own client, naming no organization (whoami, the operator's own routes). */
  readonly own: Hookyard | null;
  /** The organization an operator key acts for; null when none is chosen (or for a tenant key). */
  readonly organizationId: string | null;
  /** Acts for another organization (null: for none); forgets the answers of the previous one. */
  readonly chooseOrganization: (organizationId: string | null) => void;
  /** Keeps a credential for this tab (after it has been checked with whoami). */
  readonly signIn: (credential: Credential) => void;
  /** Forgets every credential of this tab and every cached answer. */
  readonly signOut: () => void;
}

const SessionContext = createContext<Session | null>(null);

/**
 * A client of the API this console is served by; with `organizationId`, every call names it in
 * `X-Hookyard-Organization`, so an operator key acts for that organization.
 */
export function clientFor(token: string, organizationId: string | null = null): Hookyard {
  return new Hookyard({
    apiKey: token,
    baseUrl: window.location.origin,
    ...(organizationId === null ? {} : { organization: organizationId }),
  });
}

function readStorage(key: string): string | null {
  try {
    return window.sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

/** The credential kept in this tab: a portal token wins over an API key. */
export function storedCredential(): Credential | null {
  const portal = readStorage(PORTAL_TOKEN_STORAGE);
  if (portal) return { kind: 'portal', token: portal };
  const apiKey = readStorage(API_KEY_STORAGE);
  return apiKey ? { kind: 'apiKey', token: apiKey } : null;
}

/** Query keys that do not depend on the organization acted for. */
const OWN_QUERIES: ReadonlySet<unknown> = new Set(['whoami', 'organizations']);

function forgetCredentials(): void {
  for (const key of [API_KEY_STORAGE, PORTAL_TOKEN_STORAGE, ORGANIZATION_STORAGE]) {
    window.sessionStorage.removeItem(key);
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [credential, setCredential] = useState<Credential | null>(storedCredential);
  const [organizationId, setOrganizationId] = useState<string | null>(() =>
    readStorage(ORGANIZATION_STORAGE),
  );
  const own = useMemo(() => (credential ? clientFor(credential.token) : null), [credential]);
  const hy = useMemo(
    () => (credential && organizationId ? clientFor(credential.token, organizationId) : own),
    [credential, organizationId, own],
  );

  const signIn = useCallback(
    (next: Credential) => {
      forgetCredentials();
      window.sessionStorage.setItem(
        next.kind === 'portal' ? PORTAL_TOKEN_STORAGE : API_KEY_STORAGE,
        next.token,
      );
      queryClient.clear();
      setCredential(next);
      setOrganizationId(null);
    },
    [queryClient],
  );

  const signOut = useCallback(() => {
    forgetCredentials();
    queryClient.clear();
    setCredential(null);
    setOrganizationId(null);
  }, [queryClient]);

  const chooseOrganization = useCallback(
    (next: string | null) => {
      if (next === null) window.sessionStorage.removeItem(ORGANIZATION_STORAGE);
      else window.sessionStorage.setItem(ORGANIZATION_STORAGE, next);
      // Endpoints, events and keys of one organization must never show under another's name.
      queryClient.removeQueries({ predicate: (query) => !OWN_QUERIES.has(query.queryKey[0]) });
      setOrganizationId(next);
    },
    [queryClient],
  );

  const session = useMemo(
    () => ({ credential, hy, own, organizationId, chooseOrganization, signIn, signOut }),
    [credential, hy, own, organizationId, chooseOrganization, signIn, signOut],
  );
  return createElement(SessionContext.Provider, { value: session }, children);
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession needs a <SessionProvider>');
  return session;
}

/** The signed-in client; only used below the screens that need a credential. */
export function useHookyard(): Hookyard {
  const { hy } = useSession();
  if (!hy) throw new Error('useHookyard needs a signed-in session');
  return hy;
}

/** The credential's own client, naming no organization; only used below signed-in screens. */
export function useOwnClient(): Hookyard {
  const { own } = useSession();
  if (!own) throw new Error('useOwnClient needs a signed-in session');
  return own;
}

/** Who the credential belongs to, what it may do and which endpoints it sees. */
export function useWhoami() {
  const hy = useOwnClient();
  return useQuery({
    queryKey: ['whoami'],
    queryFn: ({ signal }) => hy.whoami({ signal }),
    staleTime: 60_000,
    retry: false,
  });
}

/** Whether the caller holds a permission (`*` holds them all; WEBHOOK.VIEW is WEBHOOK.READ). */
export function hasPermission(whoami: Whoami | undefined, permission: string): boolean {
  if (!whoami) return false;
  const held = whoami.permissions;
  if (held.includes('*') || held.includes(permission)) return true;
  if (permission === 'WEBHOOK.READ') return held.includes('WEBHOOK.VIEW');
  if (permission === 'WEBHOOK.VIEW') return held.includes('WEBHOOK.READ');
  return false;
}

/**
 * Whether the caller is an operator key: an API key of no organization, which manages
 * organizations and acts for one at a time.
 */
export function isOperator(whoami: Whoami | undefined): boolean {
  if (!whoami || whoami.portal !== null || whoami.keyId === null) return false;
  const flag = (whoami as { operator?: unknown }).operator;
  return typeof flag === 'boolean' ? flag : whoami.organizationId === null;
}

/** An error as a screen shows it: one sentence, and the message of each field at fault. */
export interface DescribedError {
  readonly message: string;
  readonly fieldErrors: Record<string, string>;
  readonly status: number | null;
  readonly code: string | null;
  /** The `X-Request-ID` to quote to an operator. */
  readonly requestId: string | null;
}

export function describeError(error: unknown): DescribedError {
  if (error instanceof HookyardError) {
    const fieldErrors: Record<string, string> = {};
    for (const field of error.errors) fieldErrors[field.path] ??= field.message;
    return {
      message: error.message,
      fieldErrors,
      status: error.status,
      code: error.code,
      requestId: error.requestId ?? null,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message, fieldErrors: {}, status: null, code: null, requestId: null };
}

/**
 * The message of a field and of the fields inside it (`topics` also finds `topics.2`), so a form
 * shows an error beside the control that holds the value.
 */
export function fieldError(fieldErrors: Record<string, string>, path: string): string | undefined {
  const exact = fieldErrors[path];
  if (exact !== undefined) return exact;
  const nested = Object.keys(fieldErrors).find(
    (key) => key.startsWith(`${path}.`) || key.startsWith(`${path}[`),
  );
  return nested === undefined ? undefined : `${nested}: ${fieldErrors[nested]}`;
}

/** The refresh URL a 401 `PORTAL_SESSION_EXPIRED` carries, when the error is one. */
export function expiredPortalSession(error: unknown): { refreshUrl: string | null } | null {
  if (!(error instanceof HookyardError) || error.code !== 'PORTAL_SESSION_EXPIRED') return null;
  const problem = error.problem as { refreshUrl?: unknown } | null;
  return { refreshUrl: typeof problem?.refreshUrl === 'string' ? problem.refreshUrl : null };
}
