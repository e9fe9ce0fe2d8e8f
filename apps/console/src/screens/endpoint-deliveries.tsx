import type { Attempt, Delivery } from '@hookyard/sdk';
import { type FormEvent, useRef, useState } from 'react';
import { Link } from 'react-router';
import { describeError, fieldError } from '../api/client';
import {
  DELIVERY_STATUSES,
  type DeliveryFilters,
  isDeliveryStatus,
  useDeliveryAttempts,
  useDeliveryPages,
  useRecoverDeliveries,
  useRetryDelivery,
} from '../api/deliveries';
import { Badge, statusTone } from '../components/badge';
import { Button } from '../components/button';
import { useCan } from '../components/can';
import { EmptyState } from '../components/empty-state';
import { ErrorAlert } from '../components/error-alert';
import { useFocusFirstInvalid } from '../components/focus-invalid';
import { Region } from '../components/region';
import { Spinner } from '../components/spinner';
import { Table } from '../components/table';
import { SelectField, TextField } from '../components/text-field';
import { isoFromLocalInput, localInputOf, Time } from '../components/time';
import { TopicField } from '../components/topic-field';
import '../components/delivery-log.css';

const COLUMNS = ['Status', 'Topic', 'Created', 'Attempts', 'Next attempt', 'Actions'];

/** The filters as typed: `datetime-local` values, the empty string for "any". */
interface FilterInputs {
  readonly status: string;
  readonly from: string;
  readonly to: string;
  readonly topic: string;
}

const NO_FILTERS: FilterInputs = { status: '', from: '', to: '', topic: '' };

function filtersOf(inputs: FilterInputs): DeliveryFilters {
  const since = isoFromLocalInput(inputs.from);
  const until = isoFromLocalInput(inputs.to);
  return {
    ...(isDeliveryStatus(inputs.status) ? { status: inputs.status } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(inputs.topic ? { topic: inputs.topic } : {}),
  };
}

/**
 * The deliveries of one endpoint, shown in its detail screen: filters, each delivery's attempts,
 * retry of a failed one, and recovery of every failed one since a time.
 */
export function EndpointDeliveries({ endpointId }: { endpointId: string }) {
  const [inputs, setInputs] = useState<FilterInputs>(NO_FILTERS);
  const filters = filtersOf(inputs);
  const rangeError =
    filters.since && filters.until && filters.until < filters.since
      ? '“To” is before “From”.'
      : undefined;
  const pages = useDeliveryPages(endpointId, filters, rangeError === undefined);
  const retry = useRetryDelivery(endpointId);
  const canUpdate = useCan('WEBHOOK.UPDATE');
  const canReadEvents = useCan('EVENT.READ');
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());

  // A range that cannot hold anything is not asked for; the list waits for a valid one.
  const deliveries =
    rangeError === undefined ? (pages.data?.pages.flatMap((page) => page.data) ?? []) : [];
  const filtered = Object.keys(filters).length > 0;
  const set = (patch: Partial<FilterInputs>) => setInputs((current) => ({ ...current, ...patch }));
  const toggle = (id: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const listError = pages.isError ? describeError(pages.error).fieldErrors : {};

  return (
    <Region title="Deliveries" className="deliveries">
      <div className="toolbar" role="group" aria-label="Filter deliveries">
        <SelectField
          label="Status"
          value={inputs.status}
          onChange={(event) => set({ status: event.target.value })}
        >
          <option value="">All statuses</option>
          {DELIVERY_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </SelectField>
        <TextField
          label="From"
          type="datetime-local"
          value={inputs.from}
          error={fieldError(listError, 'since')}
          onChange={(event) => set({ from: event.target.value })}
        />
        <TextField
          label="To"
          type="datetime-local"
          value={inputs.to}
          error={rangeError ?? fieldError(listError, 'until')}
          onChange={(event) => set({ to: event.target.value })}
        />
        <TopicField
          value={inputs.topic}
          anyLabel="All topics"
          error={fieldError(listError, 'topic')}
          onChange={(topic) => set({ topic })}
        />
        {filtered ? (
          <Button variant="ghost" onClick={() => setInputs(NO_FILTERS)}>
            Clear filters
          </Button>
        ) : null}
      </div>

      <p role="status" className={retry.isSuccess ? 'alert alert-ok' : 'visually-hidden'}>
        {retry.isSuccess ? 'The delivery will be sent again now.' : ''}
      </p>
      {retry.isError ? (
        <ErrorAlert error={retry.error} title="The delivery was not retried" />
      ) : null}
      {pages.isError ? <ErrorAlert error={pages.error} /> : null}
      {pages.isPending && rangeError === undefined ? <Spinner label="Loading deliveries…" /> : null}
      {pages.isSuccess && rangeError === undefined && deliveries.length === 0 ? (
        <EmptyState title={filtered ? 'No deliveries match these filters' : 'No deliveries yet'}>
          {filtered ? null : (
            <p>Each event of a topic this endpoint subscribes to makes a delivery here.</p>
          )}
        </EmptyState>
      ) : null}

      {deliveries.length > 0 ? (
        <Table caption="Deliveries, newest first" columns={COLUMNS}>
          {deliveries.map((delivery) => {
            const open = expanded.has(delivery.id);
            const attemptsId = `attempts-${delivery.id}`;
            const retrying = retry.isPending && retry.variables?.id === delivery.id;
            return [
              <tr key={delivery.id}>
                <td>
                  <Badge tone={statusTone(delivery.status)}>{delivery.status}</Badge>
                </td>
                <td>
                  <code>{delivery.topic}</code>
                </td>
                <td>
                  <Time value={delivery.createdAt} />
                </td>
                <td>{delivery.attemptCount}</td>
                <td>
                  <Time value={delivery.nextAttemptAt} />
                </td>
                <td>
                  <div className="row">
                    {canReadEvents ? (
                      <Link to={`/events/${delivery.eventId}`}>View event</Link>
                    ) : null}
                    <Button
                      aria-expanded={open}
                      aria-controls={open ? attemptsId : undefined}
                      onClick={() => toggle(delivery.id)}
                    >
                      Attempts
                    </Button>
                    {canUpdate && delivery.status === 'failed' ? (
                      <Button busy={retrying} onClick={() => retry.mutate(delivery)}>
                        Retry
                      </Button>
                    ) : null}
                  </div>
                </td>
              </tr>,
              open ? (
                <tr key={`${delivery.id}-attempts`} className="attempts-row">
                  <td colSpan={COLUMNS.length} id={attemptsId}>
                    <DeliveryAttempts delivery={delivery} />
                  </td>
                </tr>
              ) : null,
            ];
          })}
        </Table>
      ) : null}

      {pages.hasNextPage && rangeError === undefined ? (
        <p>
          <Button busy={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}>
            Load more
          </Button>
        </p>
      ) : null}

      {canUpdate ? <RecoverForm endpointId={endpointId} /> : null}
    </Region>
  );
}

/** One delivery's attempts, newest first: what was sent and what came back. */
function DeliveryAttempts({ delivery }: { delivery: Delivery }) {
  const attempts = useDeliveryAttempts(delivery);
  if (attempts.isPending) return <Spinner label="Loading attempts…" />;
  if (attempts.isError) return <ErrorAlert error={attempts.error} />;
  const { attempts: list, complete } = attempts.data;
  if (list.length === 0) {
    return (
      <p className="muted">
        No attempts yet.
        {delivery.nextAttemptAt ? (
          <>
            {' '}
            The first is due <Time value={delivery.nextAttemptAt} />.
          </>
        ) : null}
      </p>
    );
  }
  return (
    <>
      {complete ? null : (
        <p className="muted">The {list.length} most recent attempts; older ones are not shown.</p>
      )}
      <ol className="attempt-list">
        {list.map((attempt, index) => (
          <AttemptItem
            key={attempt.id}
            attempt={attempt}
            number={complete ? list.length - index : null}
          />
        ))}
      </ol>
    </>
  );
}

function AttemptItem({ attempt, number }: { attempt: Attempt; number: number | null }) {
  const headers = Object.entries(attempt.requestHeaders);
  const succeeded = attempt.errorClass === null;
  return (
    <li className="attempt">
      <h3 className="attempt-title">
        {number === null ? 'Attempt' : `Attempt ${number}`}{' '}
        <Badge tone={succeeded ? 'ok' : 'bad'}>{succeeded ? 'succeeded' : 'failed'}</Badge>{' '}
        <span className="muted">
          <Time value={attempt.createdAt} />
        </span>
      </h3>
      <dl className="facts">
        <dt>Status code</dt>
        <dd>{attempt.statusCode ?? 'no response'}</dd>
        <dt>Duration</dt>
        <dd>{attempt.durationMs} ms</dd>
        <dt>Trigger</dt>
        <dd>{attempt.trigger}</dd>
        {attempt.errorClass !== null ? (
          <>
            <dt>Error class</dt>
            <dd>
              <code>{attempt.errorClass}</code>
              {attempt.errorMessage ? ` — ${attempt.errorMessage}` : null}
            </dd>
          </>
        ) : null}
      </dl>
      <h4>Response excerpt</h4>
      {attempt.responseExcerpt ? (
        <pre>{attempt.responseExcerpt}</pre>
      ) : (
        <p className="muted">No response body.</p>
      )}
      <h4>Request headers</h4>
      {headers.length > 0 ? (
        <dl className="facts request-headers">
          {headers.map(([name, value]) => [
            <dt key={`${name}-name`}>
              <code>{name}</code>
            </dt>,
            <dd key={`${name}-value`}>
              <code>{value}</code>
            </dd>,
          ])}
        </dl>
      ) : (
        <p className="muted">None recorded.</p>
      )}
    </li>
  );
}

/** Requeues every failed delivery since a time, and says how many went back in the queue. */
function RecoverForm({ endpointId }: { endpointId: string }) {
  const [since, setSince] = useState(() => localInputOf(new Date(Date.now() - 24 * 3_600_000)));
  const [invalid, setInvalid] = useState<string | undefined>(undefined);
  const recover = useRecoverDeliveries(endpointId);
  const fields = recover.isError ? describeError(recover.error).fieldErrors : {};
  const apiFieldError = fieldError(fields, 'since');
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(form, invalid);
  useFocusFirstInvalid(form, recover.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const iso = isoFromLocalInput(since);
    if (!iso) {
      setInvalid('Enter the date and time to recover from.');
      return;
    }
    setInvalid(undefined);
    recover.mutate(iso);
  };

  const recovered = recover.data?.recovered;
  return (
    <form ref={form} className="recover-form" onSubmit={submit} noValidate>
      <div className="inline-fields">
        <TextField
          label="Recover failed since"
          type="datetime-local"
          value={since}
          required
          error={invalid ?? apiFieldError}
          hint="Every failed delivery made since then is sent again."
          onChange={(event) => setSince(event.target.value)}
        />
        <Button type="submit" busy={recover.isPending}>
          Recover
        </Button>
      </div>
      {recover.isError && apiFieldError === undefined ? <ErrorAlert error={recover.error} /> : null}
      <p role="status" className={recovered === undefined ? 'visually-hidden' : 'recover-result'}>
        {recovered === undefined
          ? ''
          : `Requeued ${recovered} failed ${recovered === 1 ? 'delivery' : 'deliveries'}.`}
      </p>
    </form>
  );
}
