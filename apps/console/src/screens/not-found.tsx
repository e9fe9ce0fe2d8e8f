import { Link } from 'react-router';
import { useDocumentTitle } from '../components/document-title';

export function NotFoundScreen() {
  useDocumentTitle('Not found');
  return (
    <>
      <h1>Page not found</h1>
      <p>
        Nothing lives at this address. Go to the <Link to="/endpoints">endpoints</Link>.
      </p>
    </>
  );
}
