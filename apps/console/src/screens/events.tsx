import { HookyardError, type PublishEvent } from '@hookyard/sdk';
import { type FormEvent, useId, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { describeError, fieldError, hasPermission, useWhoami } from '../api/client';
import { useEndpoint } from '../api/endpoints';
import { isObjectId, useEvent, useEventDeliveries, usePublishEvent } from '../api/events';
import { Badge, statusTone } from '../components/badge';
import { Button } from '../components/button';
import { useDocumentTitle } from '../components/document-title';
import { EmptyState } from '../components/empty-state';
import { ErrorAlert } from '../components/error-alert';
import { useFocusFirstInvalid } from '../components/focus-invalid';
import { Region } from '../components/region';
import { Spinner } from '../components/spinner';
import { Table } from '../components/table';
import { TextField } from '../components/text-field';
import { Time } from '../components/time';
import { TopicField } from '../components/topic-field';

const SAMPLE_PAYLOAD = '{"hello":"world"}';

/** `/events`: look an event up by its id, and publish a test event. */
export function EventsScreen() {
  useDocumentTitle('Events');
  const whoami = useWhoami().data;
  const canRead = hasPermission(whoami, 'EVENT.READ');
  // An endpoint-scoped portal session may not publish: its events would reach other endpoints.
  const canPublish = hasPermission(whoami, 'EVENT.PUBLISH') && !whoami?.endpointIds;

  return (
    <>
      <div className="page-head">
        <h1>Events</h1>
      </div>
      <Region title="Look up an event">
        {canRead ? <EventLookup /> : <p className="muted">This session may not read events.</p>}
      </Region>
      {canPublish ? <PublishForm /> : null}
    </>
  );
}

function EventLookup() {
  const navigate = useNavigate();
  const [id, setId] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(form, error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const wanted = id.trim();
    if (!isObjectId(wanted)) {
      setError('An event ID is 24 hexadecimal characters (0-9, a-f).');
      return;
    }
    setError(undefined);
    void navigate(`/events/${wanted.toLowerCase()}`);
  };

  return (
    <form ref={form} onSubmit={submit} noValidate>
      <div className="inline-fields">
        <TextField
          label="Event ID"
          name="eventId"
          value={id}
          error={error}
          autoComplete="off"
          spellCheck={false}
          placeholder="6745f0c2a1b2c3d4e5f60718"
          onChange={(event) => setId(event.target.value)}
        />
        <Button type="submit">Look up</Button>
      </div>
    </form>
  );
}

/** The payload as typed, or why it cannot be sent. */
function parsePayload(text: string): { data: PublishEvent['data'] } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (failure) {
    return { error: `Not valid JSON: ${failure instanceof Error ? failure.message : ''}`.trim() };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { error: 'The payload must be a JSON object, e.g. {"hello":"world"}.' };
  }
  return { data: parsed as PublishEvent['data'] };
}

function PublishForm() {
  const navigate = useNavigate();
  const publish = usePublishEvent();
  const payloadId = useId();
  const [topic, setTopic] = useState('');
  const [payload, setPayload] = useState(SAMPLE_PAYLOAD);
  const [invalid, setInvalid] = useState<{ topic?: string; payload?: string }>({});
  const fields = publish.isError ? describeError(publish.error).fieldErrors : {};
  const topicError = invalid.topic ?? fieldError(fields, 'topic');
  const payloadError = invalid.payload ?? fieldError(fields, 'data');
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(form, invalid);
  useFocusFirstInvalid(form, publish.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parsePayload(payload);
    const problems = {
      ...(topic === '' ? { topic: 'Choose the topic to publish to.' } : {}),
      ...('error' in parsed ? { payload: parsed.error } : {}),
    };
    setInvalid(problems);
    if ('error' in parsed || topic === '') return;
    publish.mutate(
      { topic, data: parsed.data },
      { onSuccess: (published) => void navigate(`/events/${published.id}`) },
    );
  };

  return (
    <Region title="Publish a test event">
      <p className="muted">
        The event goes to every endpoint subscribed to its topic, as any published event does.
      </p>
      <form ref={form} onSubmit={submit} noValidate>
        {publish.isError ? <ErrorAlert error={publish.error} /> : null}
        <TopicField value={topic} error={topicError} onChange={setTopic} />
        <div className="field">
          <label htmlFor={payloadId}>Payload (JSON)</label>
          <textarea
            id={payloadId}
            name="payload"
            value={payload}
            spellCheck={false}
            aria-invalid={payloadError ? true : undefined}
            aria-describedby={payloadError ? `${payloadId}-error` : undefined}
            onChange={(event) => setPayload(event.target.value)}
          />
          {payloadError ? (
            <p className="field-error" id={`${payloadId}-error`}>
              {payloadError}
            </p>
          ) : null}
        </div>
        <Button type="submit" variant="primary" busy={publish.isPending}>
          Publish
        </Button>
      </form>
    </Region>
  );
}

function EventNotFound() {
  return (
    <>
      <h1>Event not found</h1>
      <p>
        No event with this ID is visible to this session. <Link to="/events">Back to events</Link>
      </p>
    </>
  );
}

/** `/events/:id`: one event, its payload and its delivery to each endpoint. */
export function EventDetailScreen() {
  const { id = '' } = useParams();
  const event = useEvent(id);
  const notFound =
    !isObjectId(id) || (event.error instanceof HookyardError && event.error.status === 404);
  useDocumentTitle(
    notFound ? 'Event not found' : event.data ? `Event ${event.data.topic}` : 'Event',
  );

  if (notFound) return <EventNotFound />;
  if (event.isPending) return <Spinner label="Loading the event…" />;
  if (event.isError) {
    return (
      <>
        <h1>Event</h1>
        <ErrorAlert error={event.error} />
      </>
    );
  }
  const { data } = event;

  return (
    <>
      <p>
        <Link to="/events">Back to events</Link>
      </p>
      <div className="page-head">
        <h1>Event {data.topic}</h1>
      </div>
      <Region title="Event">
        <dl className="facts">
          <dt>ID</dt>
          <dd>
            <code>{data.id}</code>
          </dd>
          <dt>Topic</dt>
          <dd>
            <code>{data.topic}</code>
          </dd>
          <dt>Published</dt>
          <dd>
            <Time value={data.createdAt} />
          </dd>
          {data.idempotencyKey !== null ? (
            <>
              <dt>Idempotency key</dt>
              <dd>
                <code>{data.idempotencyKey}</code>
              </dd>
            </>
          ) : null}
        </dl>
      </Region>
      <Region title="Payload">
        <pre>{JSON.stringify(data.data, null, 2)}</pre>
        {data.previousData !== null ? (
          <>
            <h3>Previous data</h3>
            <pre>{JSON.stringify(data.previousData, null, 2)}</pre>
          </>
        ) : null}
      </Region>
      <EventDeliveries eventId={data.id} />
    </>
  );
}

function EventDeliveries({ eventId }: { eventId: string }) {
  const deliveries = useEventDeliveries(eventId);
  return (
    <Region title="Deliveries">
      {deliveries.isPending ? <Spinner label="Loading deliveries…" /> : null}
      {deliveries.isError ? <ErrorAlert error={deliveries.error} /> : null}
      {deliveries.isSuccess && deliveries.data.length === 0 ? (
        <EmptyState title="No deliveries">
          <p>No endpoint was subscribed to this topic when the event was published.</p>
        </EmptyState>
      ) : null}
      {deliveries.isSuccess && deliveries.data.length > 0 ? (
        <Table
          caption="Deliveries of this event"
          columns={['Endpoint', 'Status', 'Attempts', 'Last attempt', 'Next attempt']}
        >
          {deliveries.data.map((delivery) => (
            <tr key={delivery.id}>
              <td className="url">
                <EndpointLink endpointId={delivery.endpointId} />
              </td>
              <td>
                <Badge tone={statusTone(delivery.status)}>{delivery.status}</Badge>
              </td>
              <td>{delivery.attemptCount}</td>
              <td>
                <Time value={delivery.lastAttemptAt} />
              </td>
              <td>
                <Time value={delivery.nextAttemptAt} />
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
    </Region>
  );
}

/** A link to an endpoint named by its name (or URL), by its id until the endpoint has loaded. */
function EndpointLink({ endpointId }: { endpointId: string }) {
  const endpoint = useEndpoint(endpointId);
  const label = endpoint.data ? endpoint.data.name || endpoint.data.url : endpointId;
  return <Link to={`/endpoints/${endpointId}`}>{label}</Link>;
}
