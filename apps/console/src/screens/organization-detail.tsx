import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { describeError, fieldError, useSession, useWhoami } from '../api/client';
import {
  type Organization,
  useCreateOrganizationApiKey,
  useDeleteOrganization,
  useOrganization,
  useOrganizationApiKeys,
  useRevokeOrganizationApiKey,
  useUpdateOrganization,
} from '../api/organizations';
import { Button } from '../components/button';
import { ConfirmDialog } from '../components/confirm-dialog';
import { useDocumentTitle } from '../components/document-title';
import { ErrorAlert } from '../components/error-alert';
import { NavigationNotice } from '../components/navigation-notice';
import { formatDateTime } from '../components/format';
import { Region } from '../components/region';
import { Spinner } from '../components/spinner';
import { TextAreaField, TextField } from '../components/text-field';
import { ApiKeyList, NewKeyDialog } from './api-keys';
import {
  initialSettings,
  RATE_LIMIT_KINDS,
  type SettingsState,
  settingPath,
  settingsOf,
  THRESHOLDS,
  updateBody,
} from './organization-settings-state';
import { OperatorOnly, useMayAdminister } from './organizations';

/** `/organizations/:id`: one organization, its settings, its API keys, and its deletion. */
export function OrganizationDetailScreen() {
  const { id = '' } = useParams();
  const { known, allowed } = useMayAdminister();
  const organization = useOrganization(allowed ? id : null);
  const notFound = organization.isError && describeError(organization.error).status === 404;
  useDocumentTitle(
    organization.data?.name ?? (notFound ? 'Organization not found' : 'Organization'),
  );

  if (known && !allowed) return <OperatorOnly title="Organization" />;
  if (organization.isPending) return <Spinner />;
  if (organization.isError) {
    return (
      <>
        <h1>{notFound ? 'Organization not found' : 'Organization'}</h1>
        <ErrorAlert error={organization.error} />
        <p>
          <Link to="/organizations">Back to the organizations</Link>
        </p>
      </>
    );
  }
  return <OrganizationDetail organization={organization.data} />;
}

function OrganizationDetail({ organization }: { organization: Organization }) {
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{organization.name}</h1>
          <p className="subtitle">
            {organization.uid ? (
              <>
                UID <code>{organization.uid}</code> ·{' '}
              </>
            ) : null}
            ID <code>{organization.id}</code> · created {formatDateTime(organization.createdAt)}
          </p>
        </div>
        <OrganizationActions organization={organization} />
      </div>
      <NavigationNotice />
      <SettingsRegion organization={organization} />
      <KeysRegion organization={organization} />
    </>
  );
}

function OrganizationActions({ organization }: { organization: Organization }) {
  const { organizationId, chooseOrganization } = useSession();
  const remove = useDeleteOrganization(organization.id);
  const navigate = useNavigate();
  const actingFor = organizationId === organization.id;

  const confirmDelete = async () => {
    await remove.mutateAsync();
    if (actingFor) chooseOrganization(null);
    await navigate('/organizations', {
      replace: true,
      state: { notice: `Organization “${organization.name}” deleted.` },
    });
  };

  return (
    <div className="page-actions">
      <div className="row">
        {actingFor ? (
          <span className="muted">The console acts as this organization.</span>
        ) : (
          <Button
            onClick={() => {
              chooseOrganization(organization.id);
              void navigate('/endpoints');
            }}
          >
            Act as this organization
          </Button>
        )}
        <ConfirmDialog
          triggerLabel="Delete"
          triggerVariant="danger"
          title={`Delete “${organization.name}”?`}
          description={
            <>
              Its API keys and portal sessions stop working at once, its endpoints are paused and
              undelivered messages cancelled; its data is purged afterwards. This cannot be undone.
            </>
          }
          confirmLabel="Delete organization"
          onConfirm={confirmDelete}
        />
      </div>
    </div>
  );
}

function SettingsRegion({ organization }: { organization: Organization }) {
  const update = useUpdateOrganization(organization.id);
  const [state, setState] = useState<SettingsState>(() => initialSettings(organization));
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const apiErrors = update.error ? describeError(update.error).fieldErrors : {};
  const errors = { ...apiErrors, ...clientErrors };
  const error = (path: string) => fieldError(errors, path);
  const set = (patch: Partial<SettingsState>) => {
    setSaved(false);
    setState((current) => ({ ...current, ...patch }));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (state.name.trim() === '') found['name'] = 'Give the organization a name.';
    const parsed = settingsOf(state);
    if ('errors' in parsed) Object.assign(found, parsed.errors);
    setClientErrors(found);
    if ('errors' in parsed || Object.keys(found).length > 0) return;
    const body = updateBody(state.name, parsed.settings, organization);
    if (Object.keys(body).length === 0) {
      setSaved(true);
      return;
    }
    update.mutate(body, {
      onSuccess: (updated) => {
        setState(initialSettings(updated));
        setSaved(true);
      },
    });
  };

  const defaultHint = 'Empty: the installation’s default.';
  return (
    <Region title="Settings">
      <form className="settings-form" onSubmit={submit} noValidate>
        {update.error ? (
          <ErrorAlert error={update.error} title="The settings were not saved" />
        ) : null}
        <ErrorAlert title="The settings were not saved" fields={clientErrors} />
        {saved ? (
          <p role="status" className="alert alert-ok">
            Settings saved.
          </p>
        ) : null}

        <TextField
          label="Name"
          value={state.name}
          autoComplete="off"
          required
          onChange={(e) => set({ name: e.target.value })}
          error={error('name')}
        />

        <fieldset className="fieldset">
          <legend>Limits</legend>
          <TextField
            label="Endpoint limit"
            type="number"
            min={0}
            step={1}
            value={state.endpointLimit}
            onChange={(e) => set({ endpointLimit: e.target.value })}
            error={error(settingPath('endpointLimit'))}
            hint={`How many endpoints it may have. ${defaultHint}`}
          />
          {RATE_LIMIT_KINDS.map((kind) => {
            const limit = state.rateLimits[kind];
            const setLimit = (patch: Partial<typeof limit>) =>
              set({ rateLimits: { ...state.rateLimits, [kind]: { ...limit, ...patch } } });
            const both = errors[settingPath('rateLimits', kind)];
            const title = kind === 'management' ? 'Management' : 'Publishing';
            return (
              <div className="inline-fields" key={kind}>
                <TextField
                  label={`${title} rate (calls per second)`}
                  type="number"
                  min={0}
                  step="any"
                  value={limit.perSecond}
                  onChange={(e) => setLimit({ perSecond: e.target.value })}
                  error={error(settingPath('rateLimits', kind, 'perSecond')) ?? both}
                  hint={
                    kind === 'management'
                      ? `Per key, for every call but publishing. ${defaultHint}`
                      : `Per key, for publishing events. ${defaultHint}`
                  }
                />
                <TextField
                  label={`${title} burst`}
                  type="number"
                  min={0}
                  step={1}
                  value={limit.burst}
                  onChange={(e) => setLimit({ burst: e.target.value })}
                  error={error(settingPath('rateLimits', kind, 'burst'))}
                  hint="Calls allowed at once above the rate."
                />
              </div>
            );
          })}
        </fieldset>

        <fieldset className="fieldset">
          <legend>Retries and thresholds</legend>
          <TextField
            label="Retry schedule (seconds)"
            value={state.retrySchedule}
            spellCheck={false}
            autoComplete="off"
            placeholder="10, 60, 300"
            onChange={(e) => set({ retrySchedule: e.target.value })}
            error={error(settingPath('retryScheduleSeconds'))}
            hint={`The wait before each retry, separated by commas. Empty: each dialect’s default schedule.`}
          />
          <div className="settings-grid">
            {THRESHOLDS.map(({ key, label, hint }) => (
              <TextField
                key={key}
                label={label}
                type="number"
                min={0}
                step={1}
                value={state.thresholds[key]}
                onChange={(e) =>
                  set({ thresholds: { ...state.thresholds, [key]: e.target.value } })
                }
                error={error(settingPath('thresholds', key))}
                hint={`${hint} ${defaultHint}`}
              />
            ))}
          </div>
        </fieldset>

        <fieldset className="fieldset">
          <legend>Access</legend>
          <TextAreaField
            label="Outbound allow-list"
            className="list-text"
            rows={3}
            spellCheck={false}
            value={state.outboundAllow}
            onChange={(e) => set({ outboundAllow: e.target.value })}
            error={error(settingPath('outboundAllow'))}
            hint="One a line: a CIDR, an IP address or a host name its deliveries may reach besides the public internet."
          />
          <TextAreaField
            label="Portal allowed origins"
            className="list-text"
            rows={3}
            spellCheck={false}
            value={state.portalAllowedOrigins}
            onChange={(e) => set({ portalAllowedOrigins: e.target.value })}
            error={error(settingPath('portalAllowedOrigins'))}
            hint="One a line: the origins (https://app.example.com) that may embed its tenant portal."
          />
        </fieldset>

        <div className="form-actions">
          <Button type="submit" variant="primary" busy={update.isPending}>
            Save settings
          </Button>
        </div>
      </form>
    </Region>
  );
}

function KeysRegion({ organization }: { organization: Organization }) {
  // The API lets the operator's key hand out only what it holds itself, as for its own keys.
  const held = useWhoami().data?.permissions ?? [];
  const keys = useOrganizationApiKeys(organization.id);
  const create = useCreateOrganizationApiKey(organization.id);
  const revoke = useRevokeOrganizationApiKey(organization.id);
  return (
    <Region title="API keys" actions={<NewKeyDialog held={held} create={create.mutateAsync} />}>
      <p className="muted">
        Keys of {organization.name}. A key is shown once, when it is made; only its prefix after.
      </p>
      <ApiKeyList keys={keys} held={held} ownKeyId={null} revoke={revoke.mutateAsync} />
    </Region>
  );
}
