import type { Endpoint } from '@hookyard/sdk';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { describeError, hasPermission, useHookyard, useWhoami } from '../api/client';
import {
  endpointKeys,
  healthOf,
  penaltyUntilOf,
  STATS_RANGES,
  type StatsRange,
  useEndpoint,
  useEndpointStats,
  useUpdateEndpoint,
} from '../api/endpoints';
import { Badge, statusTone } from '../components/badge';
import { Button, ButtonLink } from '../components/button';
import { ConfirmDialog } from '../components/confirm-dialog';
import { useDocumentTitle } from '../components/document-title';
import { ErrorAlert } from '../components/error-alert';
import { NavigationNotice } from '../components/navigation-notice';
import { formatDateTime, formatMs, formatRelative } from '../components/format';
import { HealthChart, statsSummary } from '../components/health-chart';
import { Region } from '../components/region';
import { Spinner } from '../components/spinner';
import { SelectField } from '../components/text-field';
import { EndpointDeliveries } from './endpoint-deliveries';
import { SecretRegion } from './endpoint-secret-region';
import { TestRegion } from './endpoint-test-region';

/** `/endpoints/:id`: one endpoint, its health, secret, a test send and its deliveries. */
export function EndpointDetailScreen() {
  const { id = '' } = useParams();
  const endpoint = useEndpoint(id);
  const notFound = endpoint.isError && describeError(endpoint.error).status === 404;
  useDocumentTitle(
    endpoint.data
      ? endpoint.data.name || endpoint.data.url
      : notFound
        ? 'Endpoint not found'
        : 'Endpoint',
  );

  if (endpoint.isPending) return <Spinner />;
  if (endpoint.isError) {
    return (
      <>
        <h1>{notFound ? 'Endpoint not found' : 'Endpoint'}</h1>
        <ErrorAlert error={endpoint.error} />
        <p>
          <Link to="/endpoints">Back to the endpoints</Link>
        </p>
      </>
    );
  }
  return <EndpointDetail endpoint={endpoint.data} />;
}

function EndpointDetail({ endpoint }: { endpoint: Endpoint }) {
  const whoami = useWhoami().data;
  const canUpdate = hasPermission(whoami, 'WEBHOOK.UPDATE');
  const health = healthOf(endpoint);

  return (
    <>
      <div className="page-head">
        <div>
          <h1>{endpoint.name || endpoint.url}</h1>
          <p className="subtitle">{endpoint.url}</p>
          <p className="row">
            <Badge tone={statusTone(endpoint.status)}>{endpoint.status}</Badge>
            <Badge tone={health.tone}>{health.label}</Badge>
          </p>
        </div>
        <EndpointActions endpoint={endpoint} />
      </div>
      <NavigationNotice />
      {endpoint.status !== 'active' && endpoint.statusReason ? (
        <p className="alert alert-warn">
          {endpoint.status === 'paused' ? 'Paused' : 'Suspended'}: {endpoint.statusReason}.
          Deliveries wait until the endpoint is reactivated.
        </p>
      ) : null}

      <HealthRegion endpoint={endpoint} />
      <div className="grid-2">
        <SettingsRegion endpoint={endpoint} />
        <SecretRegion endpoint={endpoint} canRotate={canUpdate} />
      </div>
      {canUpdate ? <TestRegion endpoint={endpoint} /> : null}

      {/* Slot: the endpoint's deliveries, written in ./endpoint-deliveries.tsx. */}
      <EndpointDeliveries endpointId={endpoint.id} />
    </>
  );
}

function EndpointActions({ endpoint }: { endpoint: Endpoint }) {
  const hy = useHookyard();
  const whoami = useWhoami().data;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const update = useUpdateEndpoint(endpoint.id);
  const canUpdate = hasPermission(whoami, 'WEBHOOK.UPDATE');
  const canDelete = hasPermission(whoami, 'WEBHOOK.DELETE');
  if (!canUpdate && !canDelete) return null;

  const remove = async () => {
    await hy.endpoints.delete(endpoint.id);
    queryClient.removeQueries({ queryKey: endpointKeys.one(endpoint.id) });
    await queryClient.invalidateQueries({ queryKey: ['endpoints', 'list'] });
    await navigate('/endpoints', { replace: true });
  };

  return (
    <div className="page-actions">
      <div className="row">
        {canUpdate ? (
          <>
            {endpoint.status === 'active' ? (
              <Button busy={update.isPending} onClick={() => update.mutate({ status: 'paused' })}>
                Pause
              </Button>
            ) : (
              <Button
                variant="primary"
                busy={update.isPending}
                onClick={() => update.mutate({ status: 'active' })}
              >
                Reactivate
              </Button>
            )}
            <ButtonLink to={`/endpoints/${endpoint.id}/edit`}>Edit</ButtonLink>
          </>
        ) : null}
        {canDelete ? (
          <ConfirmDialog
            triggerLabel="Delete"
            triggerVariant="danger"
            title="Delete this endpoint?"
            description={
              <>
                Deliveries to <strong>{endpoint.url}</strong> stop at once, and its delivery log
                goes with it. This cannot be undone.
              </>
            }
            confirmLabel="Delete endpoint"
            onConfirm={remove}
          />
        ) : null}
      </div>
      {update.error ? <ErrorAlert error={update.error} /> : null}
    </div>
  );
}

function HealthRegion({ endpoint }: { endpoint: Endpoint }) {
  const [range, setRange] = useState<StatsRange>('24h');
  const stats = useEndpointStats(endpoint.id, range);
  const penaltyUntil = penaltyUntilOf(endpoint);
  const { health, lastStatus } = endpoint;

  return (
    <Region
      title="Health"
      actions={
        <SelectField
          label="Period"
          className="compact"
          value={range}
          onChange={(e) => setRange(e.target.value as StatsRange)}
        >
          {Object.entries(STATS_RANGES).map(([value, { label }]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </SelectField>
      }
    >
      {penaltyUntil ? (
        <p className="alert alert-warn">
          <strong>In the penalty box.</strong> After repeated failures Hookyard holds deliveries
          back and probes the endpoint with one of them; next probe {formatRelative(penaltyUntil)} (
          {formatDateTime(penaltyUntil)}).
        </p>
      ) : null}
      <dl className="facts">
        <dt>Last status</dt>
        <dd>
          {lastStatus ? (
            <>
              <Badge tone={lastStatus.code !== null && lastStatus.code < 300 ? 'ok' : 'bad'}>
                {lastStatus.code ?? 'no response'}
              </Badge>{' '}
              {lastStatus.message} · {formatDateTime(lastStatus.timestamp)}
            </>
          ) : (
            'No delivery attempt yet'
          )}
        </dd>
        <dt>Last success</dt>
        <dd>{formatDateTime(health.lastSuccessAt)}</dd>
        <dt>Failures in a row</dt>
        <dd>{health.consecutiveFailures}</dd>
        <dt>Response time</dt>
        <dd>
          last {formatMs(health.lastResponseTime)}, average {formatMs(health.avgResponseTime)}
        </dd>
      </dl>
      {stats.isPending ? <Spinner label="Loading the health chart…" /> : null}
      {stats.isError ? <ErrorAlert error={stats.error} /> : null}
      {stats.data ? (
        <>
          <p className="muted chart-summary">
            {STATS_RANGES[range].label}: {statsSummary(stats.data.data)}
          </p>
          <HealthChart bucket={stats.data.bucket} data={stats.data.data} />
        </>
      ) : null}
    </Region>
  );
}

function SettingsRegion({ endpoint }: { endpoint: Endpoint }) {
  const headers = Object.entries(endpoint.requestConfig.headers);
  const auth = endpoint.authentication;
  return (
    <Region title="Settings">
      <dl className="facts">
        <dt>Topics</dt>
        <dd>
          {endpoint.topics.map((topic, i) => (
            <span key={topic}>
              {i > 0 ? ', ' : null}
              <code>{topic}</code>
            </span>
          ))}
        </dd>
        {endpoint.description ? (
          <>
            <dt>Description</dt>
            <dd>{endpoint.description}</dd>
          </>
        ) : null}
        <dt>Timeout</dt>
        <dd>{formatMs(endpoint.requestConfig.timeoutMs)}</dd>
        <dt>Order</dt>
        <dd>{endpoint.ordering === 'fifo' ? 'In publish order, one at a time' : 'No set order'}</dd>
        <dt>Authentication</dt>
        <dd>
          {auth.type === 'none'
            ? 'None'
            : auth.type === 'basic'
              ? `Basic (user ${auth.username ?? '?'})`
              : `API key in ${auth.headerName ?? '?'}`}
        </dd>
        <dt>Custom headers</dt>
        <dd>
          {headers.length === 0
            ? 'None'
            : headers.map(([name, value]) => (
                <div key={name}>
                  <code>
                    {name}: {value}
                  </code>
                </div>
              ))}
        </dd>
        <dt>Created</dt>
        <dd>{formatDateTime(endpoint.createdAt)}</dd>
      </dl>
    </Region>
  );
}
