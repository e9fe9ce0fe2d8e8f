import { Link, Outlet } from 'react-router';
import { isOperator, useSession, useWhoami } from '../api/client';
import { useDocumentTitle } from './document-title';

/**
 * The tenant-scoped screens (endpoints, events, API keys): an operator key sees them for the
 * organization it has chosen, and is asked to choose one first.
 */
export function RequireOrganization() {
  const whoami = useWhoami().data;
  const { organizationId } = useSession();
  if (isOperator(whoami) && organizationId === null) return <ChooseOrganization />;
  return <Outlet />;
}

function ChooseOrganization() {
  useDocumentTitle('Choose an organization');
  return (
    <div className="empty-state">
      <h1>Choose an organization</h1>
      <p>
        This is an operator key: it belongs to no organization. Choose one in the Organization menu
        at the top to see and manage its endpoints, events and API keys as that organization.
      </p>
      <p>
        Create and configure organizations under <Link to="/organizations">Organizations</Link>.
      </p>
    </div>
  );
}
