import type { Endpoint, EndpointSecret, TestSendResult } from '@hookyard/sdk';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { describeError, hasPermission, useHookyard, useWhoami } from '../api/client';
import {
  endpointKeys,
  healthOf,
  penaltyUntilOf,
  STATS_RANGES,
  type StatsRange,
  useEndpoint,
  useEndpointStats,
  useTopics,
  useUpdateEndpoint,
} from '../api/endpoints';
import { Badge, statusTone } from '../components/badge';
import { Button, ButtonLink } from '../components/button';
import { ConfirmDialog } from '../components/confirm-dialog';
import { useDocumentTitle } from '../components/document-title';
import { ErrorAlert } from '../components/error-alert';
import { formatDateTime, formatMs, formatRelative } from '../components/format';
import { HealthChart, statsSummary } from '../components/health-chart';
import { Region } from '../components/region';
import { Spinner } from '../components/spinner';
import { SelectField, TextField } from '../components/text-field';
import { EndpointDeliveries } from './endpoint-deliveries';

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
  const location = useLocation();
  const notice = (location.state as { notice?: unknown } | null)?.notice;
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
      {typeof notice === 'string' ? (
        <p role="status" className="alert alert-ok">
          {notice}
        </p>
      ) : null}
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

function SecretRegion({ endpoint, canRotate }: { endpoint: Endpoint; canRotate: boolean }) {
  const hy = useHookyard();
  const [secret, setSecret] = useState<EndpointSecret | null>(null);
  const [graceHours, setGraceHours] = useState('24');
  const reveal = useMutation({
    mutationFn: () => hy.endpoints.getSecret(endpoint.id),
    onSuccess: setSecret,
  });

  const rotate = async () => {
    const hours = Number(graceHours);
    if (graceHours.trim() === '' || !Number.isFinite(hours) || hours < 0 || hours > 168) {
      throw new Error('Enter a number of hours from 0 to 168.');
    }
    setSecret(
      await hy.endpoints.rotateSecret(endpoint.id, {
        gracePeriodSeconds: Math.round(hours * 3600),
      }),
    );
  };

  return (
    <Region title="Signing secret">
      <p className="muted">
        Receivers check each delivery’s signature with this secret (Standard Webhooks).
      </p>
      {secret ? (
        <>
          <TextField label="Current secret" readOnly value={secret.secret} className="secret" />
          {secret.previousSecrets.length > 0 ? (
            <>
              <p>Previous secrets still signing:</p>
              <ul>
                {secret.previousSecrets.map((previous) => (
                  <li key={previous.secret}>
                    <code className="secret">{previous.secret}</code> until{' '}
                    {formatDateTime(previous.expiresAt)}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      ) : null}
      <ErrorAlert error={reveal.error} />
      <div className="row">
        {secret ? (
          <>
            <Button onClick={() => setSecret(null)}>Hide secret</Button>
            <CopyButton text={secret.secret} label="Copy secret" />
          </>
        ) : (
          <Button busy={reveal.isPending} onClick={() => reveal.mutate()}>
            Reveal secret
          </Button>
        )}
        {canRotate ? (
          <ConfirmDialog
            triggerLabel="Rotate secret"
            title="Rotate the signing secret"
            description="Hookyard makes a new secret. The old one keeps signing alongside it for a while, so receivers can switch without missing a delivery."
            confirmLabel="Rotate"
            confirmVariant="primary"
            onConfirm={rotate}
          >
            <TextField
              label="Keep the old secret for (hours)"
              type="number"
              min={0}
              max={168}
              step="any"
              value={graceHours}
              onChange={(e) => setGraceHours(e.target.value)}
              hint="0 stops it at once; at most 168 (7 days)."
            />
          </ConfirmDialog>
        ) : null}
      </div>
    </Region>
  );
}

function TestRegion({ endpoint }: { endpoint: Endpoint }) {
  const hy = useHookyard();
  const topics = useTopics();
  const [topic, setTopic] = useState('');
  const send = useMutation({
    mutationFn: (): Promise<TestSendResult> =>
      hy.endpoints.sendTest(endpoint.id, topic ? { topic } : {}),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send.mutate();
  };
  const result = send.data;

  return (
    <Region title="Send a test event">
      <p className="muted">
        Sends one test message now and shows what the receiver answered. Tests never count toward
        the endpoint’s health.
      </p>
      <form className="inline-fields" onSubmit={submit}>
        <SelectField label="Topic" value={topic} onChange={(e) => setTopic(e.target.value)}>
          <option value="">webhook.test (default)</option>
          {(topics.data ?? []).map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </SelectField>
        <Button type="submit" variant="primary" busy={send.isPending}>
          Send test
        </Button>
      </form>
      <ErrorAlert error={send.error} />
      {result ? (
        <div role="status" className={`alert ${result.success ? 'alert-ok' : 'alert-error'}`}>
          {result.status !== undefined ? (
            <p>
              <strong>Receiver answered {result.status}</strong> in {formatMs(result.durationMs)}
              {result.success ? '' : ' (not a 2xx: the receiver refused it)'}.
            </p>
          ) : (
            <p>
              <strong>No answer</strong> after {formatMs(result.durationMs)}
              {result.error ? `: ${errorText(result.error)}` : ''}.
            </p>
          )}
          {result.body ? <pre>{result.body}</pre> : null}
        </div>
      ) : null}
    </Region>
  );
}

/** `{class, message}` of a test send that got no response, as one line. */
function errorText(error: Record<string, unknown>): string {
  const parts = [error['class'], error['message']].filter(
    (part): part is string => typeof part === 'string' && part.length > 0,
  );
  return parts.length > 0 ? parts.join(' — ') : 'the request failed';
}

/** Copies a value to the clipboard and says so (where the browser allows it). */
function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  if (!navigator.clipboard) return null;
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => setCopied('yes'),
      () => setCopied('no'),
    );
  };
  return (
    <>
      <Button onClick={copy}>{label}</Button>
      <span role="status" className="muted">
        {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'The browser refused to copy.' : ''}
      </span>
    </>
  );
}
