import { HookyardError } from '@hookyard/sdk';
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { SessionProvider } from './api/client';
import { RequireOrganization } from './components/require-organization';
import { RequireSession } from './components/require-session';
import { ApiKeysScreen } from './screens/api-keys';
import { EndpointDetailScreen } from './screens/endpoint-detail';
import { EndpointFormScreen } from './screens/endpoint-form';
import { EndpointsListScreen } from './screens/endpoints-list';
import { EventDetailScreen, EventsScreen } from './screens/events';
import { NotFoundScreen } from './screens/not-found';
import { OrganizationDetailScreen } from './screens/organization-detail';
import { OrganizationsScreen } from './screens/organizations';
import { PortalScreen } from './screens/portal';
import { SignInScreen } from './screens/sign-in';

/** Client errors (4xx) are answers, not hiccups: only network errors and 5xx are tried again. */
function shouldRetry(failures: number, error: unknown): boolean {
  if (error instanceof HookyardError && error.status < 500) return false;
  return failures < 2;
}

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      // A 401 anywhere means the credential stopped working: whoami decides what to show.
      onError: (error, query) => {
        if (
          error instanceof HookyardError &&
          error.status === 401 &&
          query.queryKey[0] !== 'whoami'
        ) {
          void client.invalidateQueries({ queryKey: ['whoami'] });
        }
      },
    }),
    defaultOptions: {
      queries: { retry: shouldRetry, refetchOnWindowFocus: false, staleTime: 5_000 },
      mutations: { retry: false },
    },
  });
  return client;
}

export function App({ queryClient }: { queryClient: QueryClient }) {
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <BrowserRouter basename="/console">
          <Routes>
            <Route path="sign-in" element={<SignInScreen />} />
            <Route path="portal" element={<PortalScreen />} />
            <Route element={<RequireSession />}>
              <Route index element={<Navigate to="/endpoints" replace />} />
              <Route element={<RequireOrganization />}>
                <Route path="endpoints" element={<EndpointsListScreen />} />
                <Route path="endpoints/new" element={<EndpointFormScreen />} />
                <Route path="endpoints/:id" element={<EndpointDetailScreen />} />
                <Route path="endpoints/:id/edit" element={<EndpointFormScreen />} />
                <Route path="events" element={<EventsScreen />} />
                <Route path="events/:id" element={<EventDetailScreen />} />
                <Route path="api-keys" element={<ApiKeysScreen />} />
              </Route>
              <Route path="organizations" element={<OrganizationsScreen />} />
              <Route path="organizations/:id" element={<OrganizationDetailScreen />} />
              <Route path="*" element={<NotFoundScreen />} />
            </Route>
          </Routes>
        </BrowserRouter>
      </SessionProvider>
    </QueryClientProvider>
  );
}
