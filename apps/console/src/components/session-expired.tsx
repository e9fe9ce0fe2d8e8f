import { useDocumentTitle } from './document-title';

/** What a portal shows once its session has expired or been revoked. */
export function SessionExpired({ refreshUrl }: { refreshUrl: string | null }) {
  useDocumentTitle('Session expired');
  return (
    <main id="main" className="centered-page">
      <div className="card narrow">
        <h1>This session has expired</h1>
        <p>Portal sessions last a limited time and can be revoked by the organization.</p>
        {refreshUrl ? (
          <p>
            <a className="button button-primary" href={refreshUrl}>
              Get a new session
            </a>
          </p>
        ) : (
          <p>Ask for a new link to continue.</p>
        )}
      </div>
    </main>
  );
}
