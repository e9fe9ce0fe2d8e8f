import { HookyardError } from '@hookyard/sdk';
import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useLayoutEffect, useState } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { clientFor, expiredPortalSession, useSession } from '../api/client';
import { Button } from '../components/button';
import { useDocumentTitle } from '../components/document-title';
import { ErrorAlert } from '../components/error-alert';
import { SessionExpired } from '../components/session-expired';
import { Spinner } from '../components/spinner';

/** The token a portal URL carries in its fragment (`#token=hkp_…`), which never reaches a server. */
function tokenOfFragment(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token ? token : null;
}

/** Takes the fragment out of the address bar and the history entry, keeping the rest. */
function stripFragment(): void {
  if (window.location.hash === '') return;
  const { pathname, search } = window.location;
  window.history.replaceState(window.history.state, '', `${pathname}${search}`);
}

/**
 * `/portal?session=<id>#token=<token>`: checks the token with whoami, keeps it in this tab's
 * sessionStorage (in place of any API key: a tab holds one credential, so the portal and the
 * console never mix) and opens the endpoints. The token leaves the URL before anything else.
 */
export function PortalScreen() {
  useDocumentTitle('Portal');
  const { credential, signIn } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  // Read once, before the fragment is stripped (StrictMode runs initialisers twice: both read it).
  const [token] = useState(() => tokenOfFragment(window.location.hash));
  const [failure, setFailure] = useState<unknown>(undefined);
  const [tries, setTries] = useState(0);

  useLayoutEffect(stripFragment, []);

  useEffect(() => {
    if (token === null) return undefined;
    let current = true;
    clientFor(token)
      .whoami()
      .then(
        (whoami) => {
          if (!current) return;
          signIn({ kind: 'portal', token });
          // The answer is the session's whoami: the screens need not ask again.
          queryClient.setQueryData(['whoami'], whoami);
          void navigate('/endpoints', { replace: true });
        },
        (error: unknown) => {
          if (current) setFailure(error);
        },
      );
    return () => {
      current = false;
    };
  }, [token, tries, signIn, queryClient, navigate]);

  if (token === null) {
    // A reload after the fragment was stripped: the tab already holds the session.
    if (credential?.kind === 'portal') return <Navigate to="/endpoints" replace />;
    return (
      <PortalMessage title="This portal link is incomplete">
        <p>
          The link that opened this page lacks its access token (the part after <code>#</code>).
          Open the whole link you were given, or ask for a new one.
        </p>
      </PortalMessage>
    );
  }
  if (failure === undefined) {
    return (
      <main id="main" className="centered-page">
        <Spinner label="Opening the portal…" />
      </main>
    );
  }
  const expired = expiredPortalSession(failure);
  if (expired) return <SessionExpired refreshUrl={expired.refreshUrl} />;
  if (failure instanceof HookyardError && failure.status === 401) {
    return (
      <PortalMessage title="This portal link is not valid">
        <p>No portal session has this token. Ask for a new link.</p>
      </PortalMessage>
    );
  }
  return (
    <PortalMessage title="Hookyard is unavailable">
      <ErrorAlert error={failure} />
      <Button
        variant="primary"
        onClick={() => {
          setFailure(undefined);
          setTries((n) => n + 1);
        }}
      >
        Try again
      </Button>
    </PortalMessage>
  );
}

function PortalMessage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main id="main" className="centered-page">
      <div className="card narrow">
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
