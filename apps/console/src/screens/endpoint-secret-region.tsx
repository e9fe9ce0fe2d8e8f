import type { Endpoint, EndpointSecret } from '@hookyard/sdk';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useHookyard } from '../api/client';
import { Button } from '../components/button';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorAlert } from '../components/error-alert';
import { formatDateTime } from '../components/format';
import { Region } from '../components/region';
import { TextField } from '../components/text-field';

/** The endpoint detail's secret region: reveal and copy the signing secret, rotate it with a grace window. */
export function SecretRegion({ endpoint, canRotate }: { endpoint: Endpoint; canRotate: boolean }) {
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
