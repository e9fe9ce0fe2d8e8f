import type { Endpoint } from '@hookyard/sdk';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type KeyboardEvent, useId, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { describeError, fieldError, hasPermission, useHookyard, useWhoami } from '../api/client';
import { endpointKeys, useEndpoint, useTopics } from '../api/endpoints';
import { Button } from '../components/button';
import { useDocumentTitle } from '../components/document-title';
import { ErrorAlert } from '../components/error-alert';
import { Spinner } from '../components/spinner';
import { TopicName } from '../components/topic-name';
import { CheckboxField, SelectField, TextAreaField, TextField } from '../components/text-field';
import {
  type AuthType,
  createBody,
  DEFAULT_TIMEOUT_SECONDS,
  type FormState,
  type HeaderRow,
  initialState,
  localErrors,
  updateBody,
} from './endpoint-form-state';

/** `/endpoints/new` and `/endpoints/:id/edit`. */
export function EndpointFormScreen() {
  const { id } = useParams();
  if (id === undefined) return <EndpointForm />;
  return <EditEndpoint id={id} />;
}

function EditEndpoint({ id }: { id: string }) {
  const endpoint = useEndpoint(id);
  if (endpoint.isPending) return <Spinner />;
  if (endpoint.isError) {
    return (
      <>
        <h1>Edit endpoint</h1>
        <ErrorAlert error={endpoint.error} />
      </>
    );
  }
  return <EndpointForm key={endpoint.data.updatedAt} endpoint={endpoint.data} />;
}

function EndpointForm({ endpoint }: { endpoint?: Endpoint }) {
  const editing = endpoint !== undefined;
  const title = editing ? `Edit ${endpoint.name || endpoint.url}` : 'New endpoint';
  useDocumentTitle(title);
  const hy = useHookyard();
  const whoami = useWhoami().data;
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const topics = useTopics();
  const [state, setState] = useState<FormState>(() => initialState(endpoint));
  const [pattern, setPattern] = useState('');
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const nextHeaderKey = useRef(state.headers.length);
  const topicsErrorId = useId();
  const patternId = useId();
  const headersErrorId = useId();

  const save = useMutation({
    mutationFn: async (form: FormState) => {
      if (!editing) return hy.endpoints.create(createBody(form));
      const patch = updateBody(form, endpoint);
      return Object.keys(patch).length === 0 ? endpoint : hy.endpoints.update(endpoint.id, patch);
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(endpointKeys.one(saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: ['endpoints', 'list'] });
      void navigate(`/endpoints/${saved.id}`, {
        state: { notice: editing ? 'Changes saved.' : 'Endpoint created.' },
      });
    },
  });

  const allowed = editing
    ? hasPermission(whoami, 'WEBHOOK.UPDATE')
    : hasPermission(whoami, 'WEBHOOK.CREATE') && !whoami?.endpointIds;
  if (whoami && !allowed) {
    return (
      <>
        <h1>{title}</h1>
        <p>This key may not {editing ? 'change endpoints' : 'create endpoints'}.</p>
      </>
    );
  }

  const apiErrors = save.error ? describeError(save.error).fieldErrors : {};
  const errors = { ...apiErrors, ...clientErrors };
  const error = (path: string) => fieldError(errors, path);
  const set = (patch: Partial<FormState>) => setState((current) => ({ ...current, ...patch }));
  const setAuth = (patch: Partial<FormState>) => set({ ...patch, authChanged: true });
  const setHeaders = (headers: readonly HeaderRow[]) => set({ headers, headersChanged: true });

  const catalogue = topics.data ?? [];
  const extraTopics = state.topics.filter((topic) => !catalogue.includes(topic));
  const toggleTopic = (topic: string, checked: boolean) =>
    set({
      topics: checked ? [...state.topics, topic] : state.topics.filter((t) => t !== topic),
    });
  const addPattern = () => {
    const topic = pattern.trim();
    if (topic === '') return;
    if (!state.topics.includes(topic)) set({ topics: [...state.topics, topic] });
    setPattern('');
  };
  const addOnEnter = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      addPattern();
    }
  };

  const topicsError = error('topics');
  const headersError = errors['requestConfig.headers'];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = localErrors(state, editing);
    setClientErrors(found);
    if (Object.keys(found).length > 0) return;
    save.mutate(state);
  };

  return (
    <>
      <div className="page-head">
        <div>
          <h1>{title}</h1>
          {editing ? <p className="subtitle">{endpoint.url}</p> : null}
        </div>
      </div>
      <form className="endpoint-form" onSubmit={submit} noValidate>
        {save.error ? <ErrorAlert error={save.error} title="The endpoint was not saved" /> : null}
        <ErrorAlert title="The endpoint was not saved" fields={clientErrors} />

        <fieldset className="fieldset">
          <legend>Destination</legend>
          <TextField
            label="URL"
            type="url"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            value={state.url}
            onChange={(e) => set({ url: e.target.value })}
            error={error('url')}
            hint="Where Hookyard POSTs each delivery."
            required
          />
          <TextField
            label="Name"
            value={state.name}
            onChange={(e) => set({ name: e.target.value })}
            error={error('name')}
            hint={editing ? undefined : 'Optional; the URL’s host when left empty.'}
          />
          <TextAreaField
            label="Description"
            rows={2}
            value={state.description}
            onChange={(e) => set({ description: e.target.value })}
            error={error('description')}
          />
        </fieldset>

        <fieldset
          className="fieldset"
          aria-describedby={topicsError ? topicsErrorId : undefined}
          aria-invalid={topicsError ? true : undefined}
        >
          <legend>Topics</legend>
          {topics.isPending ? <Spinner label="Loading topics…" /> : null}
          {topics.isError ? <ErrorAlert error={topics.error} /> : null}
          <ul className="checkbox-list">
            {[...catalogue, ...extraTopics].map((topic) => (
              <li key={topic}>
                <label className="checkbox">
                  <input
                    type="checkbox"
                    checked={state.topics.includes(topic)}
                    onChange={(e) => toggleTopic(topic, e.target.checked)}
                  />
                  <TopicName topic={topic} />
                </label>
              </li>
            ))}
          </ul>
          <div className="inline-fields">
            <TextField
              label="Topic pattern"
              value={pattern}
              spellCheck={false}
              onChange={(e) => setPattern(e.target.value)}
              onKeyDown={addOnEnter}
              id={patternId}
              hint="A wildcard per segment, e.g. post.* (Enter adds it)."
              aria-invalid={topicsError ? true : undefined}
              aria-describedby={
                topicsError ? `${patternId}-hint ${topicsErrorId}` : `${patternId}-hint`
              }
            />
            <Button onClick={addPattern}>Add topic</Button>
          </div>
          {topicsError ? (
            <p className="field-error" id={topicsErrorId}>
              {topicsError}
            </p>
          ) : null}
        </fieldset>

        <fieldset className="fieldset">
          <legend>Delivery</legend>
          <TextField
            label="Timeout (seconds)"
            type="number"
            min={1}
            max={30}
            step="any"
            value={state.timeoutSeconds}
            onChange={(e) => set({ timeoutSeconds: e.target.value })}
            error={error('requestConfig.timeoutMs')}
            placeholder={editing ? undefined : String(DEFAULT_TIMEOUT_SECONDS)}
            hint={
              editing
                ? 'From 1 to 30 seconds.'
                : `From 1 to 30 seconds; ${DEFAULT_TIMEOUT_SECONDS} when left empty.`
            }
          />
          <CheckboxField
            label="Deliver in order"
            checked={state.ordered}
            onChange={(e) => set({ ordered: e.target.checked })}
            error={error('ordering')}
            hint="One delivery at a time, in publish order: a later event waits until every earlier one has succeeded or been given up."
          />
        </fieldset>

        <fieldset className="fieldset" aria-describedby={headersError ? headersErrorId : undefined}>
          <legend>Custom headers</legend>
          {state.headers.length === 0 ? <p className="muted">No custom headers are sent.</p> : null}
          {state.headers.map((row, index) => {
            const rowError = errors[`requestConfig.headers.${row.name.trim()}`];
            const update = (patch: Partial<HeaderRow>) =>
              setHeaders(
                state.headers.map((h, i) => (i === index ? { ...h, ...patch, hidden: false } : h)),
              );
            return (
              <div className="header-row" key={row.key}>
                <TextField
                  label="Header name"
                  value={row.name}
                  spellCheck={false}
                  onChange={(e) => update({ name: e.target.value })}
                  error={rowError}
                />
                <TextField
                  label="Header value"
                  value={row.value}
                  spellCheck={false}
                  placeholder={row.hidden ? 'Hidden' : undefined}
                  onChange={(e) => update({ value: e.target.value })}
                  hint={
                    row.hidden
                      ? 'Hidden by the API; enter it again if you change headers.'
                      : undefined
                  }
                />
                <Button
                  variant="ghost"
                  onClick={() => setHeaders(state.headers.filter((_, i) => i !== index))}
                >
                  Remove header
                </Button>
              </div>
            );
          })}
          {headersError ? (
            <p className="field-error" id={headersErrorId}>
              {headersError}
            </p>
          ) : null}
          <p>
            <Button
              onClick={() =>
                setHeaders([
                  ...state.headers,
                  { key: nextHeaderKey.current++, name: '', value: '', hidden: false },
                ])
              }
            >
              Add header
            </Button>
          </p>
        </fieldset>

        <fieldset className="fieldset">
          <legend>Authentication</legend>
          <SelectField
            label="Outbound authentication"
            value={state.authType}
            onChange={(e) => setAuth({ authType: e.target.value as AuthType })}
            error={errors['authentication'] ?? errors['authentication.type']}
          >
            <option value="none">None</option>
            <option value="basic">Basic</option>
            <option value="api_key">API key header</option>
          </SelectField>
          {state.authType === 'basic' ? (
            <div className="inline-fields">
              <TextField
                label="Username"
                autoComplete="off"
                value={state.username}
                onChange={(e) => setAuth({ username: e.target.value })}
                error={error('authentication.username')}
              />
              <TextField
                label="Password"
                type="password"
                autoComplete="new-password"
                value={state.password}
                onChange={(e) => setAuth({ password: e.target.value })}
                error={error('authentication.password')}
                hint={
                  editing && endpoint.authentication.type === 'basic'
                    ? 'Stored and never shown; enter it again to change the username or password.'
                    : undefined
                }
              />
            </div>
          ) : null}
          {state.authType === 'api_key' ? (
            <div className="inline-fields">
              <TextField
                label="API key header"
                autoComplete="off"
                spellCheck={false}
                placeholder="X-API-Key"
                value={state.headerName}
                onChange={(e) => setAuth({ headerName: e.target.value })}
                error={error('authentication.headerName')}
              />
              <TextField
                label="API key value"
                type="password"
                autoComplete="new-password"
                value={state.apiKey}
                onChange={(e) => setAuth({ apiKey: e.target.value })}
                error={error('authentication.apiKey')}
                hint={
                  editing && endpoint.authentication.type === 'api_key'
                    ? 'Stored and never shown; enter it again to change it.'
                    : undefined
                }
              />
            </div>
          ) : null}
        </fieldset>

        <div className="form-actions">
          <Button type="submit" variant="primary" busy={save.isPending}>
            {editing ? 'Save changes' : 'Create endpoint'}
          </Button>
          <Link
            className="button button-ghost"
            to={editing ? `/endpoints/${endpoint.id}` : '/endpoints'}
          >
            Cancel
          </Link>
        </div>
      </form>
    </>
  );
}
