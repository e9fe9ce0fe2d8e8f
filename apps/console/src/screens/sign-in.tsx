import { type FormEvent, useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { clientFor, useSession } from '../api/client';
import { Button } from '../components/button';
import { useDocumentTitle } from '../components/document-title';
import { ErrorAlert } from '../components/error-alert';
import { TextField } from '../components/text-field';

/** Where sign-in returns to: the page that sent the visitor here, else the endpoints. */
function returnPath(state: unknown): string {
  const from = (state as { from?: unknown } | null)?.from;
  return typeof from === 'string' && from.startsWith('/') && from !== '/sign-in'
    ? from
    : '/endpoints';
}

/** The key is checked with `GET /v1/whoami` before the tab keeps it (in sessionStorage only). */
export function SignInScreen() {
  useDocumentTitle('Sign in');
  const { credential, signIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [apiKey, setApiKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (credential) return <Navigate to={returnPath(location.state)} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const key = apiKey.trim();
    if (key.length === 0) {
      setError(new Error('Enter an API key.'));
      return;
    }
    setBusy(true);
    setError(null);
    clientFor(key)
      .whoami()
      .then(
        () => {
          signIn({ kind: 'apiKey', token: key });
          void navigate(returnPath(location.state), { replace: true });
        },
        (failure: unknown) => {
          setBusy(false);
          setError(failure);
        },
      );
  };

  return (
    <main id="main" className="centered-page">
      <div className="card narrow">
        <h1>Sign in to Hookyard</h1>
        <p className="muted">
          Use an API key of your organization. It stays in this browser tab and is forgotten when
          the tab closes.
        </p>
        <form onSubmit={submit} noValidate>
          <ErrorAlert error={error} />
          <TextField
            label="API key"
            name="apiKey"
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={apiKey}
            onChange={(event) => setApiKey(event.target.value)}
            required
          />
          <Button type="submit" variant="primary" busy={busy}>
            Sign in
          </Button>
        </form>
      </div>
    </main>
  );
}
