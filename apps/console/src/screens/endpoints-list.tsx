import type { EndpointStatus } from '@hookyard/sdk';
import { Link, useSearchParams } from 'react-router';
import { hasPermission, useWhoami } from '../api/client';
import { ENDPOINT_STATUSES, healthOf, useEndpointPages } from '../api/endpoints';
import { Badge, statusTone } from '../components/badge';
import { Button, ButtonLink } from '../components/button';
import { useDocumentTitle } from '../components/document-title';
import { EmptyState } from '../components/empty-state';
import { ErrorAlert } from '../components/error-alert';
import { Spinner } from '../components/spinner';
import { Table } from '../components/table';
import { SelectField } from '../components/text-field';

function isStatus(value: string | null): value is EndpointStatus {
  return ENDPOINT_STATUSES.includes(value as EndpointStatus);
}

/** `/endpoints`: every endpoint the caller sees, filtered by status (kept in the URL). */
export function EndpointsListScreen() {
  useDocumentTitle('Endpoints');
  const [params, setParams] = useSearchParams();
  const raw = params.get('status');
  const status = isStatus(raw) ? raw : undefined;
  const pages = useEndpointPages(status);
  const whoami = useWhoami().data;
  // An endpoint-scoped portal session sees its endpoints and may not make new ones.
  const canCreate = hasPermission(whoami, 'WEBHOOK.CREATE') && !whoami?.endpointIds;
  const endpoints = pages.data?.pages.flatMap((page) => page.data) ?? [];

  return (
    <>
      <div className="page-head">
        <h1>Endpoints</h1>
        {canCreate ? (
          <ButtonLink to="/endpoints/new" variant="primary">
            New endpoint
          </ButtonLink>
        ) : null}
      </div>
      <div className="toolbar">
        <SelectField
          label="Status"
          value={status ?? ''}
          onChange={(event) => {
            const next = event.target.value;
            setParams(next ? { status: next } : {}, { replace: true });
          }}
        >
          <option value="">All statuses</option>
          {ENDPOINT_STATUSES.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </SelectField>
      </div>
      <div className="list-body">
        {pages.isPending ? <Spinner /> : null}
        {pages.isError ? <ErrorAlert error={pages.error} /> : null}
        {pages.isSuccess && endpoints.length === 0 ? (
          <EmptyState title={status ? `No ${status} endpoints` : 'No endpoints yet'}>
            {canCreate && !status ? (
              <p>
                Create one with <Link to="/endpoints/new">New endpoint</Link>: Hookyard then
                delivers every event of its topics to it.
              </p>
            ) : null}
          </EmptyState>
        ) : null}
        {endpoints.length > 0 ? (
          <Table caption="Endpoints" columns={['URL', 'Name', 'Status', 'Health', 'Topics']}>
            {endpoints.map((endpoint) => {
              const health = healthOf(endpoint);
              return (
                <tr key={endpoint.id}>
                  <td className="url">
                    <Link to={`/endpoints/${endpoint.id}`}>{endpoint.url}</Link>
                  </td>
                  <td>{endpoint.name}</td>
                  <td>
                    <Badge tone={statusTone(endpoint.status)}>{endpoint.status}</Badge>
                  </td>
                  <td>
                    <Badge tone={health.tone}>{health.label}</Badge>
                  </td>
                  <td>{endpoint.topics.join(', ')}</td>
                </tr>
              );
            })}
          </Table>
        ) : null}
        {pages.hasNextPage ? (
          <p>
            <Button busy={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}>
              Show more endpoints
            </Button>
          </p>
        ) : null}
      </div>
    </>
  );
}
