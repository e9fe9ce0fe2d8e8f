import { NavLink, Outlet } from 'react-router';
import { hasPermission, isOperator, useSession, useWhoami } from '../api/client';
import { Badge } from './badge';
import { Button } from './button';
import { OrganizationPicker } from './organization-picker';
import { usePortalTheme } from './theme';

/** The frame of every signed-in screen: header with the main navigation, then the screen. */
export function Layout() {
  const whoami = useWhoami().data;
  const { signOut } = useSession();
  const portal = whoami?.portal ?? null;
  usePortalTheme(portal?.theme);
  const showApiKeys = portal === null && hasPermission(whoami, 'APIKEY.MANAGE');
  const operator = isOperator(whoami);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="brand">
          {portal?.theme.logoUrl ? (
            <img className="brand-logo" src={portal.theme.logoUrl} alt="Logo" />
          ) : null}
          <span className="brand-name">Hookyard</span>
          {portal ? <Badge>Portal</Badge> : null}
        </div>
        <nav aria-label="Main" className="main-nav">
          <ul>
            <li>
              <NavLink to="/endpoints">Endpoints</NavLink>
            </li>
            <li>
              <NavLink to="/events">Events</NavLink>
            </li>
            {showApiKeys ? (
              <li>
                <NavLink to="/api-keys">API keys</NavLink>
              </li>
            ) : null}
            {operator ? (
              <li>
                <NavLink to="/organizations">Organizations</NavLink>
              </li>
            ) : null}
          </ul>
        </nav>
        {operator ? <OrganizationPicker /> : null}
        <Button variant="ghost" onClick={signOut}>
          Sign out
        </Button>
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
