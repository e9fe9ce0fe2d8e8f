import { type EndpointEntity } from '@hookyard/data-access';
import { type EndpointInput, type EndpointPatch } from '@hookyard/api';
import {
  type FieldViolation,
  type OutboundAuthentication,
  topicOfAction,
  validateApiHeaderField,
  validateApiKey,
  validateBasicPassword,
  validateBasicUsername,
} from '@hookyard/webhook-core';
import {
  type AuthenticationType,
  type PlatformCreateWebhookDto,
  type PlatformRollSecretDto,
  type PlatformUpdateWebhookDto,
  type PlatformWebhookFieldsDto,
} from './dto/webhook-request.dto';
import { PlatformError } from './platform-error';

/** Every action: what an endpoint with no `included_actions` subscribes to. */
const ALL_ACTIONS = ['*'];

const CREDENTIALS = ['username', 'password', 'api_header_field', 'api_key'] as const;
type Credential = (typeof CREDENTIALS)[number];

/** The credentials each authentication type takes, with the rule each must meet. */
const NEEDS: Record<
  AuthenticationType,
  readonly [Credential, (value: unknown, field: string) => FieldViolation | null][]
> = {
  NONE: [],
  PASSWORD: [
    ['username', validateBasicUsername],
    ['password', validateBasicPassword],
  ],
  API_KEY: [
    ['api_header_field', validateApiHeaderField],
    ['api_key', validateApiKey],
  ],
};

const CORE_TYPES: Record<EndpointEntity['authType'], AuthenticationType> = {
  none: 'NONE',
  basic: 'PASSWORD',
  api_key: 'API_KEY',
};

function given(value: string | null | undefined): value is string {
  return value !== undefined && value !== null && value !== '';
}

/**
 * The outbound authentication a body asks for; `undefined` leaves it as it is. `PASSWORD` needs
 * `username` and `password`, `API_KEY` needs `api_header_field` and `api_key`; a credential of another
 * type is refused, naming it. Sending the endpoint's current type with no credentials keeps the
 * stored ones (a roll must name the type, and should not have to resend the password).
 */
export function authenticationOf(
  body: PlatformWebhookFieldsDto & { authentication_type?: AuthenticationType },
  current: EndpointEntity | null,
): OutboundAuthentication | undefined {
  const type = body.authentication_type;
  const sent = CREDENTIALS.filter((name) => given(body[name]));
  if (type === undefined) {
    const [first] = sent;
    if (first !== undefined) {
      throw PlatformError.missing(
        'authentication_type',
        `authentication_type is required with ${first}`,
      );
    }
    return undefined;
  }
  const needed = NEEDS[type];
  const stray = sent.find((name) => !needed.some(([wanted]) => wanted === name));
  if (stray !== undefined) {
    throw PlatformError.invalid(stray, `${stray} is not used with authentication_type ${type}`);
  }
  if (current !== null && CORE_TYPES[current.authType] === type && sent.length === 0) {
    return undefined;
  }
  for (const [name, rule] of needed) {
    const value = body[name];
    if (!given(value)) throw PlatformError.missing(name, `${name} is required with ${type}`);
    const fault = rule(value, name);
    if (fault !== null) throw PlatformError.invalid(name, fault.message);
  }
  switch (type) {
    case 'NONE':
      return { type: 'none' };
    case 'PASSWORD':
      return { type: 'basic', username: body.username ?? '', password: body.password ?? '' };
    case 'API_KEY':
      return {
        type: 'api_key',
        headerName: body.api_header_field ?? '',
        apiKey: body.api_key ?? '',
      };
  }
}

/** Actions are topics in upper case; `null`, absent or empty includes mean every action. */
function topicsOf(actions: readonly string[] | null | undefined): string[] {
  return actions && actions.length > 0 ? actions.map(topicOfAction) : ALL_ACTIONS;
}

function statusOf(active: boolean | undefined): 'active' | 'paused' | undefined {
  return active === undefined ? undefined : active ? 'active' : 'paused';
}

/** `penalty_box_data` can only be sent as `null` (release); anything else is Hookyard's to set. */
export function releasesPenaltyBox(body: PlatformWebhookFieldsDto): boolean {
  if (body.penalty_box_data === undefined) return false;
  if (body.penalty_box_data !== null) {
    throw PlatformError.invalid(
      'penalty_box_data',
      'penalty_box_data is set by Hookyard; send null to release the webhook',
    );
  }
  return true;
}

/** A create body in the core's terms: `fifo` ordering and every action unless the body says otherwise. */
export function createInputOf(body: PlatformCreateWebhookDto): EndpointInput {
  releasesPenaltyBox(body);
  return {
    dialect: 'platform',
    url: body.url,
    name: body.name,
    reference: body.reference,
    email: body.email ?? null,
    topics: topicsOf(body.included_actions),
    excludedTopics: (body.excluded_actions ?? []).map(topicOfAction),
    includePreviousData: body.include_previous_data ?? false,
    status: body.active === false ? 'paused' : 'active',
    authentication: authenticationOf(body, null) ?? { type: 'none' },
    signingProtocol: body.signing_protocol ?? 'HmacSHA256',
    ordering: body.ordering ?? 'fifo',
  };
}

/**
 * An update (or the update a roll carries) in the core's terms. `active` only changes the status when
 * it differs from the current one, so `active: true` on an active webhook does not reset its health.
 */
export function patchOf(
  body: PlatformUpdateWebhookDto | PlatformRollSecretDto,
  current: EndpointEntity,
): EndpointPatch {
  const status = statusOf(body.active);
  const unchanged = status === (current.status === 'active' ? 'active' : 'paused');
  return {
    url: body.url ?? undefined,
    name: 'name' in body ? body.name : undefined,
    reference: 'reference' in body ? body.reference : undefined,
    email: body.email,
    topics: body.included_actions === undefined ? undefined : topicsOf(body.included_actions),
    excludedTopics:
      body.excluded_actions === undefined
        ? undefined
        : (body.excluded_actions ?? []).map(topicOfAction),
    includePreviousData: body.include_previous_data,
    status: unchanged ? undefined : status,
    authentication: authenticationOf(body, current),
    ordering: body.ordering,
    releasePenalty: releasesPenaltyBox(body),
  };
}
