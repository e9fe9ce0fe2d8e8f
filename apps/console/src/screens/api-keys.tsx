import type { ApiKey, CreateApiKey, CreatedApiKey } from '@hookyard/sdk';
import { useMutation, type UseQueryResult } from '@tanstack/react-query';
import { Dialog } from 'radix-ui';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { describeError, fieldError, hasPermission, useSession, useWhoami } from '../api/client';
import {
  mayGrant,
  PERMISSIONS,
  useApiKeys,
  useCreateApiKey,
  useRevokeApiKey,
} from '../api/api-keys';
import { Button } from '../components/button';
import { ConfirmDialog } from '../components/confirm-dialog';
import { useDocumentTitle } from '../components/document-title';
import { EmptyState } from '../components/empty-state';
import { ErrorAlert } from '../components/error-alert';
import { useFocusFirstInvalid } from '../components/focus-invalid';
import { Spinner } from '../components/spinner';
import { Table } from '../components/table';
import { TextField } from '../components/text-field';
import { Time } from '../components/time';
import '../components/delivery-log.css';

type Permission = CreateApiKey['permissions'][number];

/** `/api-keys`: the organization's API keys; new ones are shown once, old ones revoked. */
export function ApiKeysScreen() {
  useDocumentTitle('API keys');
  const whoami = useWhoami().data;
  const allowed = whoami?.portal === null && hasPermission(whoami, 'APIKEY.MANAGE');
  const keys = useApiKeys(allowed);
  const create = useCreateApiKey();
  const revoke = useRevokeApiKey();
  const { signOut } = useSession();
  const held = whoami?.permissions ?? [];

  if (!allowed) {
    return (
      <>
        <h1>API keys</h1>
        <p className="muted">
          {whoami?.portal
            ? 'API keys are managed by the organization, not in the portal.'
            : 'This API key may not manage API keys (it needs APIKEY.MANAGE).'}
        </p>
      </>
    );
  }

  return (
    <>
      <div className="page-head">
        <div>
          <h1>API keys</h1>
          <p className="subtitle">
            Keys of this organization. A key is shown once, when it is made; only its prefix after.
          </p>
        </div>
        <NewKeyDialog held={held} create={create.mutateAsync} />
      </div>
      <ApiKeyList
        keys={keys}
        held={held}
        ownKeyId={whoami?.keyId ?? null}
        revoke={(id) =>
          revoke.mutateAsync(id).then(() => {
            if (id === whoami?.keyId) signOut();
          })
        }
      />
    </>
  );
}

/** A list of API keys, each with its revoke action (when the caller holds all it grants). */
export function ApiKeyList({
  keys,
  held,
  ownKeyId,
  revoke,
}: {
  keys: UseQueryResult<ApiKey[]>;
  held: readonly string[];
  /** The key this console is signed in with, if it is in the list. */
  ownKeyId: string | null;
  revoke: (id: string) => Promise<unknown>;
}) {
  return (
    <>
      {keys.isPending ? <Spinner label="Loading API keys…" /> : null}
      {keys.isError ? <ErrorAlert error={keys.error} /> : null}
      {keys.isSuccess && keys.data.length === 0 ? <EmptyState title="No API keys" /> : null}
      {keys.isSuccess && keys.data.length > 0 ? (
        <Table caption="API keys" columns={['Name', 'Prefix', 'Permissions', 'Created', 'Actions']}>
          {keys.data.map((key) => (
            <KeyRow
              key={key.id}
              apiKey={key}
              own={key.id === ownKeyId}
              canRevoke={key.permissions.every((permission) => mayGrant(held, permission))}
              revoke={revoke}
            />
          ))}
        </Table>
      ) : null}
    </>
  );
}

function KeyRow({
  apiKey,
  own,
  canRevoke,
  revoke,
}: {
  apiKey: ApiKey;
  own: boolean;
  canRevoke: boolean;
  revoke: (id: string) => Promise<unknown>;
}) {
  return (
    <tr>
      <td>
        {apiKey.name}
        {own ? <span className="muted"> (this session)</span> : null}
      </td>
      <td>
        <code>{apiKey.prefix}…</code>
      </td>
      <td>
        <ul className="permission-tags" aria-label={`Permissions of ${apiKey.name}`}>
          {apiKey.permissions.map((permission) => (
            <li key={permission}>
              <code>{permission}</code>
            </li>
          ))}
        </ul>
      </td>
      <td>
        <Time value={apiKey.createdAt} />
      </td>
      <td>
        {canRevoke ? (
          <ConfirmDialog
            triggerLabel="Revoke"
            title={`Revoke “${apiKey.name}”?`}
            description={
              own
                ? 'This is the key this console is signed in with: revoking it signs you out. Whatever uses it stops working at once.'
                : 'Whatever uses this key stops working at once. This cannot be undone.'
            }
            confirmLabel="Revoke key"
            onConfirm={() => revoke(apiKey.id)}
          />
        ) : (
          <span className="muted">Holds permissions this key lacks</span>
        )}
      </td>
    </tr>
  );
}

/** Makes a key: resolves to the new key, which carries the key itself this once. */
type CreateKey = (body: CreateApiKey) => Promise<CreatedApiKey>;

/** "New API key": a name and permissions, then the key itself, shown this once. */
export function NewKeyDialog({ held, create }: { held: readonly string[]; create: CreateKey }) {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  // A new form each time the dialog opens; the key is forgotten when it closes.
  const [generation, setGeneration] = useState(0);

  const change = (next: boolean) => {
    setOpen(next);
    if (!next) {
      setCreated(null);
      setGeneration((n) => n + 1);
    }
  };

  return (
    <Dialog.Root open={open} onOpenChange={change}>
      <Dialog.Trigger asChild>
        <Button variant="primary">New API key</Button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog" {...(created ? {} : { 'aria-describedby': undefined })}>
          {created ? (
            <CreatedKey created={created} />
          ) : (
            <NewKeyForm key={generation} held={held} create={create} onCreated={setCreated} />
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function NewKeyForm({
  held,
  create: createKey,
  onCreated,
}: {
  held: readonly string[];
  create: CreateKey;
  onCreated: (created: CreatedApiKey) => void;
}) {
  // This form's own attempt: its error goes when the dialog opens again.
  const create = useMutation({ mutationFn: createKey });
  const permissionsId = useId();
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<ReadonlySet<Permission>>(new Set());
  const [invalid, setInvalid] = useState<{ name?: string; permissions?: string }>({});
  const fields = create.isError ? describeError(create.error).fieldErrors : {};
  const nameError = invalid.name ?? fieldError(fields, 'name');
  const permissionsError = invalid.permissions ?? fieldError(fields, 'permissions');
  const errorId = `${permissionsId}-error`;
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(form, invalid);
  useFocusFirstInvalid(form, create.error);

  const toggle = (permission: Permission, on: boolean) =>
    setChosen((current) => {
      const next = new Set(current);
      if (on) next.add(permission);
      else next.delete(permission);
      return next;
    });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    const problems = {
      ...(trimmed === '' ? { name: 'Give the key a name to recognise it by.' } : {}),
      ...(chosen.size === 0 ? { permissions: 'Choose at least one permission.' } : {}),
    };
    setInvalid(problems);
    if (Object.keys(problems).length > 0) return;
    // In the API's order, so the list reads the same everywhere.
    const permissions = PERMISSIONS.map((p) => p.name).filter((p) => chosen.has(p));
    create.mutate({ name: trimmed, permissions }, { onSuccess: onCreated });
  };

  return (
    <form ref={form} onSubmit={submit} noValidate>
      <Dialog.Title className="dialog-title">New API key</Dialog.Title>
      {create.isError ? <ErrorAlert error={create.error} /> : null}
      <TextField
        label="Name"
        name="name"
        value={name}
        maxLength={100}
        autoComplete="off"
        required
        error={nameError}
        onChange={(event) => setName(event.target.value)}
      />
      <fieldset
        className="fieldset"
        aria-describedby={permissionsError ? errorId : undefined}
        data-invalid={permissionsError ? true : undefined}
      >
        <legend>Permissions</legend>
        {permissionsError ? (
          <p className="field-error" id={errorId}>
            {permissionsError}
          </p>
        ) : null}
        <ul className="permission-list">
          {PERMISSIONS.map((permission) => {
            const grantable = mayGrant(held, permission.name);
            const id = `${permissionsId}-${permission.name}`;
            return (
              <li key={permission.name}>
                <div className="checkbox">
                  <input
                    type="checkbox"
                    id={id}
                    name="permissions"
                    value={permission.name}
                    checked={chosen.has(permission.name)}
                    disabled={!grantable}
                    aria-describedby={`${id}-hint`}
                    onChange={(event) => toggle(permission.name, event.target.checked)}
                  />
                  <label htmlFor={id}>
                    <code>{permission.name}</code>
                  </label>
                </div>
                <p className="field-hint" id={`${id}-hint`}>
                  {permission.description}
                  {grantable ? '' : ' Your key does not hold it, so it cannot grant it.'}
                </p>
              </li>
            );
          })}
        </ul>
      </fieldset>
      <div className="dialog-actions">
        <Dialog.Close asChild>
          <Button>Cancel</Button>
        </Dialog.Close>
        <Button type="submit" variant="primary" busy={create.isPending}>
          Create key
        </Button>
      </div>
    </form>
  );
}

function CreatedKey({ created }: { created: CreatedApiKey }) {
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const [copied, setCopied] = useState('');

  // The key is what the reader came for: focus it, selected, ready to copy.
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);

  const copy = () => {
    input.current?.select();
    if (!window.isSecureContext || !('clipboard' in navigator)) {
      setCopied('Copying needs a secure page: the key is selected, copy it with the keyboard.');
      return;
    }
    navigator.clipboard.writeText(created.key).then(
      () => setCopied('Copied to the clipboard.'),
      () => setCopied('The browser refused to copy: the key is selected, copy it yourself.'),
    );
  };

  return (
    <>
      <Dialog.Title className="dialog-title">API key created</Dialog.Title>
      <Dialog.Description className="dialog-description">
        Copy the key of “{created.name}” now: it won’t be shown again. Hookyard keeps only a hash of
        it.
      </Dialog.Description>
      <div className="inline-fields">
        <div className="field">
          <label htmlFor={inputId}>New API key</label>
          <input
            ref={input}
            id={inputId}
            type="text"
            className="secret"
            value={created.key}
            readOnly
            spellCheck={false}
            autoComplete="off"
            onFocus={(event) => event.currentTarget.select()}
          />
        </div>
        <Button onClick={copy}>Copy</Button>
      </div>
      <p role="status" className="field-hint">
        {copied}
      </p>
      <div className="dialog-actions">
        <Dialog.Close asChild>
          <Button variant="primary">Done</Button>
        </Dialog.Close>
      </div>
    </>
  );
}
