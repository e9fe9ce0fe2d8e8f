import { Dialog } from 'radix-ui';
import { type FormEvent, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { describeError, fieldError, hasPermission, isOperator, useWhoami } from '../api/client';
import { useCreateOrganization, useOrganizationPages } from '../api/organizations';
import { Button } from '../components/button';
import { useDocumentTitle } from '../components/document-title';
import { EmptyState } from '../components/empty-state';
import { ErrorAlert } from '../components/error-alert';
import { NavigationNotice } from '../components/navigation-notice';
import { useFocusFirstInvalid } from '../components/focus-invalid';
import { Spinner } from '../components/spinner';
import { Table } from '../components/table';
import { TextField } from '../components/text-field';
import { Time } from '../components/time';

/** Whether the caller may manage organizations: an operator key holding ORGANIZATION.ADMIN. */
export function useMayAdminister(): { known: boolean; allowed: boolean } {
  const whoami = useWhoami().data;
  return {
    known: whoami !== undefined,
    allowed: isOperator(whoami) && hasPermission(whoami, 'ORGANIZATION.ADMIN'),
  };
}

/** What a tenant key sees at an operator's address. */
export function OperatorOnly({ title }: { title: string }) {
  return (
    <>
      <h1>{title}</h1>
      <p className="muted">
        Organizations are managed with an operator key (one that belongs to no organization and
        holds ORGANIZATION.ADMIN).
      </p>
    </>
  );
}

/** `/organizations`: the tenants of this installation, a page at a time, and a new one. */
export function OrganizationsScreen() {
  useDocumentTitle('Organizations');
  const { allowed } = useMayAdminister();
  const pages = useOrganizationPages({ enabled: allowed, fresh: true });
  const organizations = pages.data?.pages.flatMap((page) => page.data) ?? [];

  if (!allowed) return <OperatorOnly title="Organizations" />;

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Organizations</h1>
          <p className="subtitle">
            The tenants of this installation. Choose one in the Organization menu to act as it.
          </p>
        </div>
        <NewOrganizationDialog />
      </div>
      <NavigationNotice />
      {pages.isPending ? <Spinner label="Loading organizations…" /> : null}
      {pages.isError ? <ErrorAlert error={pages.error} /> : null}
      {pages.isSuccess && organizations.length === 0 ? (
        <EmptyState title="No organizations yet">
          <p>Create one with New organization, then create its API keys.</p>
        </EmptyState>
      ) : null}
      {organizations.length > 0 ? (
        <Table caption="Organizations" columns={['Name', 'UID', 'ID', 'Created']}>
          {organizations.map((organization) => (
            <tr key={organization.id}>
              <td>
                <Link to={`/organizations/${organization.id}`}>{organization.name}</Link>
              </td>
              <td>{organization.uid ? <code>{organization.uid}</code> : '—'}</td>
              <td>
                <code>{organization.id}</code>
              </td>
              <td>
                <Time value={organization.createdAt} />
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
      {pages.hasNextPage ? (
        <p>
          <Button busy={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}>
            Show more organizations
          </Button>
        </p>
      ) : null}
    </>
  );
}

/** "New organization": a name and an optional uid; then its page. */
function NewOrganizationDialog() {
  const [open, setOpen] = useState(false);
  // A new form each time the dialog opens.
  const [generation, setGeneration] = useState(0);
  const change = (next: boolean) => {
    setOpen(next);
    if (!next) setGeneration((n) => n + 1);
  };
  return (
    <Dialog.Root open={open} onOpenChange={change}>
      <Dialog.Trigger asChild>
        <Button variant="primary">New organization</Button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog" aria-describedby={undefined}>
          <NewOrganizationForm key={generation} />
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function NewOrganizationForm() {
  const create = useCreateOrganization();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [uid, setUid] = useState('');
  const [invalid, setInvalid] = useState<{ name?: string }>({});
  const fields = create.isError ? describeError(create.error).fieldErrors : {};
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(form, invalid);
  useFocusFirstInvalid(form, create.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    const problems = trimmed === '' ? { name: 'Give the organization a name.' } : {};
    setInvalid(problems);
    if (Object.keys(problems).length > 0) return;
    create.mutate(
      { name: trimmed, ...(uid.trim() ? { uid: uid.trim() } : {}) },
      {
        onSuccess: (created) =>
          void navigate(`/organizations/${created.id}`, {
            state: { notice: 'Organization created.' },
          }),
      },
    );
  };

  return (
    <form ref={form} onSubmit={submit} noValidate>
      <Dialog.Title className="dialog-title">New organization</Dialog.Title>
      {create.isError ? (
        <ErrorAlert error={create.error} title="The organization was not created" />
      ) : null}
      <TextField
        label="Name"
        name="name"
        value={name}
        autoComplete="off"
        required
        error={invalid.name ?? fieldError(fields, 'name')}
        onChange={(event) => setName(event.target.value)}
      />
      <TextField
        label="UID"
        name="uid"
        value={uid}
        autoComplete="off"
        spellCheck={false}
        error={fieldError(fields, 'uid')}
        hint="Optional: your own id for this customer, usable wherever the id is."
        onChange={(event) => setUid(event.target.value)}
      />
      <div className="dialog-actions">
        <Dialog.Close asChild>
          <Button>Cancel</Button>
        </Dialog.Close>
        <Button type="submit" variant="primary" busy={create.isPending}>
          Create organization
        </Button>
      </div>
    </form>
  );
}
