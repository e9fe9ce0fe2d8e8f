import type { CreateEndpoint, Endpoint, UpdateEndpoint } from '@hookyard/sdk';

/*
 * The endpoint form's state and its mapping to and from the API's bodies: pure, no React, so the
 * screen (`endpoint-form.tsx`) holds only the controls and the save.
 */

/** What the API shows instead of a sensitive header's value. */
export const REDACTED = '[redacted]';
/** The API's default timeout of a native endpoint (left empty on create, the API applies it). */
export const DEFAULT_TIMEOUT_SECONDS = 5;

export type AuthType = 'none' | 'basic' | 'api_key';

export interface HeaderRow {
  readonly key: number;
  readonly name: string;
  readonly value: string;
  /** The API hid its value: it must be typed again if the header set is changed. */
  readonly hidden: boolean;
}

export interface FormState {
  readonly url: string;
  readonly name: string;
  readonly description: string;
  readonly topics: readonly string[];
  readonly timeoutSeconds: string;
  readonly headers: readonly HeaderRow[];
  readonly headersChanged: boolean;
  readonly authType: AuthType;
  readonly username: string;
  readonly password: string;
  readonly headerName: string;
  readonly apiKey: string;
  readonly authChanged: boolean;
  readonly ordered: boolean;
}

export function initialState(endpoint: Endpoint | undefined): FormState {
  const headers = Object.entries(endpoint?.requestConfig.headers ?? {}).map(
    ([name, value], key) => ({
      key,
      name,
      value: value === REDACTED ? '' : value,
      hidden: value === REDACTED,
    }),
  );
  return {
    url: endpoint?.url ?? '',
    name: endpoint?.name ?? '',
    description: endpoint?.description ?? '',
    topics: endpoint?.topics ?? [],
    timeoutSeconds: endpoint ? String(endpoint.requestConfig.timeoutMs / 1000) : '',
    headers,
    headersChanged: false,
    authType: endpoint?.authentication.type ?? 'none',
    username: endpoint?.authentication.username ?? '',
    password: '',
    headerName: endpoint?.authentication.headerName ?? '',
    apiKey: '',
    authChanged: false,
    ordered: endpoint?.ordering === 'fifo',
  };
}

/** Problems the console finds before asking the API, by the API's field paths. */
export function localErrors(state: FormState, editing: boolean): Record<string, string> {
  const errors: Record<string, string> = {};
  const empty = state.timeoutSeconds.trim() === '';
  if ((empty && editing) || (!empty && !Number.isFinite(Number(state.timeoutSeconds)))) {
    errors['requestConfig.timeoutMs'] = 'Enter a number of seconds.';
  }
  if (state.headersChanged) {
    for (const row of state.headers) {
      if (row.hidden && row.value === '' && row.name.trim() !== '') {
        errors[`requestConfig.headers.${row.name.trim()}`] =
          'Its value is hidden: enter it again to keep this header.';
      }
    }
  }
  return errors;
}

function headersOf(rows: readonly HeaderRow[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const row of rows) if (row.name.trim() !== '') headers[row.name.trim()] = row.value;
  return headers;
}

function authenticationOf(state: FormState): NonNullable<CreateEndpoint['authentication']> {
  switch (state.authType) {
    case 'none':
      return { type: 'none' };
    case 'basic':
      return {
        type: 'basic',
        username: state.username,
        ...(state.password ? { password: state.password } : {}),
      };
    case 'api_key':
      return {
        type: 'api_key',
        headerName: state.headerName,
        ...(state.apiKey ? { apiKey: state.apiKey } : {}),
      };
  }
}

export function createBody(state: FormState): CreateEndpoint {
  const headers = headersOf(state.headers);
  const timeout = state.timeoutSeconds.trim();
  const requestConfig = {
    ...(timeout === '' ? {} : { timeoutMs: Math.round(Number(timeout) * 1000) }),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
  };
  return {
    url: state.url.trim(),
    ...(state.name.trim() ? { name: state.name.trim() } : {}),
    ...(state.description.trim() ? { description: state.description.trim() } : {}),
    topics: [...state.topics],
    ...(Object.keys(requestConfig).length > 0 ? { requestConfig } : {}),
    ...(state.authType === 'none' ? {} : { authentication: authenticationOf(state) }),
    ordering: state.ordered ? 'fifo' : 'none',
  };
}

/** Only what changed, so an untouched hidden header or credential is never overwritten. */
export function updateBody(state: FormState, endpoint: Endpoint): UpdateEndpoint {
  const sameTopics =
    state.topics.length === endpoint.topics.length &&
    state.topics.every((topic) => endpoint.topics.includes(topic));
  const timeoutMs = Math.round(Number(state.timeoutSeconds) * 1000);
  const description = state.description.trim() === '' ? null : state.description.trim();
  const requestConfig = {
    ...(timeoutMs !== endpoint.requestConfig.timeoutMs ? { timeoutMs } : {}),
    ...(state.headersChanged ? { headers: headersOf(state.headers) } : {}),
  };
  const ordering = state.ordered ? 'fifo' : 'none';
  return {
    ...(state.url.trim() !== endpoint.url ? { url: state.url.trim() } : {}),
    ...(state.name.trim() !== endpoint.name ? { name: state.name.trim() } : {}),
    ...(description !== endpoint.description ? { description } : {}),
    ...(sameTopics ? {} : { topics: [...state.topics] }),
    ...(Object.keys(requestConfig).length > 0 ? { requestConfig } : {}),
    ...(state.authChanged ? { authentication: authenticationOf(state) } : {}),
    ...(ordering !== endpoint.ordering ? { ordering } : {}),
  };
}
