import { HookyardError } from '@hookyard/sdk';
import { useEffect } from 'react';
import { Navigate, useLocation } from 'react-router';
import { expiredPortalSession, useSession, useWhoami } from '../api/client';
import { ErrorAlert } from './error-alert';
import { Layout } from './layout';
import { SessionExpired } from './session-expired';
import { Spinner } from './spinner';

/** The signed-in part of the console: sign-in when there is no credential, then whoami, then the layout. */
export function RequireSession() {
  const { credential } = useSession();
  const location = useLocation();
  if (!credential) {
    return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  }
  return <SignedIn />;
}

function SignedIn() {
  const whoami = useWhoami();
  const { signOut } = useSession();
  const rejected =
    whoami.error instanceof HookyardError &&
    whoami.error.status === 401 &&
    expiredPortalSession(whoami.error) === null;

  // A key that no longer works (revoked, mistyped in another tab) goes back to sign-in.
  useEffect(() => {
    if (rejected) signOut();
  }, [rejected, signOut]);

  if (whoami.isPending || rejected) {
    return (
      <main id="main" className="centered-page">
        <Spinner />
      </main>
    );
  }
  if (whoami.isError) {
    const expired = expiredPortalSession(whoami.error);
    if (expired) return <SessionExpired refreshUrl={expired.refreshUrl} />;
    return (
      <main id="main" className="centered-page">
        <h1>Hookyard is unavailable</h1>
        <ErrorAlert error={whoami.error} />
      </main>
    );
  }
  return <Layout />;
}
