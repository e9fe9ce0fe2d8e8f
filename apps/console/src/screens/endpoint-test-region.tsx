import type { Endpoint, TestSendResult } from '@hookyard/sdk';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useHookyard } from '../api/client';
import { useTopics } from '../api/endpoints';
import { Button } from '../components/button';
import { ErrorAlert } from '../components/error-alert';
import { formatMs } from '../components/format';
import { Region } from '../components/region';
import { SelectField } from '../components/text-field';

/** The endpoint detail's test send: one signed request of a chosen topic, and the receiver's answer. */
export function TestRegion({ endpoint }: { endpoint: Endpoint }) {
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
