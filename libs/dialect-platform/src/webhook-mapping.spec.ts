import { type EndpointEntity } from '@hookyard/data-access';
import { type PlatformCreateWebhookDto } from './dto/webhook-request.dto';
import { PlatformError } from './platform-error';
import { authenticationOf, createInputOf, patchOf, releasesPenaltyBox } from './webhook-mapping';

const body = (overrides: Partial<PlatformCreateWebhookDto> = {}): PlatformCreateWebhookDto =>
  Object.assign({ url: 'https://example.com/hook', name: 'n', reference: 'r' }, overrides);

function refusal(run: () => unknown): { code: string; field: string | undefined } {
  try {
    run();
  } catch (error) {
    if (error instanceof PlatformError) return { code: error.platformCode, field: error.at.field };
    throw error;
  }
  throw new Error('expected a refusal');
}

const endpoint = (overrides: Partial<EndpointEntity> = {}) =>
  Object.assign({ authType: 'basic', status: 'active' }, overrides) as EndpointEntity;

describe('createInputOf', () => {
  it('defaults to fifo, every action, no authentication and HmacSHA256', () => {
    expect(createInputOf(body())).toMatchObject({
      dialect: 'platform',
      topics: ['*'],
      excludedTopics: [],
      ordering: 'fifo',
      status: 'active',
      authentication: { type: 'none' },
      signingProtocol: 'HmacSHA256',
      includePreviousData: false,
    });
  });

  it('maps actions to topics in lower case and active: false to paused', () => {
    expect(
      createInputOf(
        body({
          included_actions: ['POST.CREATED', 'ticket.*'],
          excluded_actions: ['POST.DELETED'],
          active: false,
          ordering: 'none',
        }),
      ),
    ).toMatchObject({
      topics: ['post.created', 'ticket.*'],
      excludedTopics: ['post.deleted'],
      status: 'paused',
      ordering: 'none',
    });
  });
});

describe('authenticationOf', () => {
  it('builds basic and API-key authentication from complete credentials', () => {
    expect(
      authenticationOf({ authentication_type: 'PASSWORD', username: 'u', password: 'p' }, null),
    ).toEqual({ type: 'basic', username: 'u', password: 'p' });
    expect(
      authenticationOf(
        { authentication_type: 'API_KEY', api_header_field: 'X-Key', api_key: 'abc' },
        null,
      ),
    ).toEqual({ type: 'api_key', headerName: 'X-Key', apiKey: 'abc' });
  });

  it.each([
    [{ authentication_type: 'PASSWORD' as const, password: 'p' }, 'MISSING_FIELD', 'username'],
    [
      { authentication_type: 'PASSWORD' as const, username: 'u', password: '' },
      'MISSING_FIELD',
      'password',
    ],
    [
      { authentication_type: 'API_KEY' as const, api_key: 'k' },
      'MISSING_FIELD',
      'api_header_field',
    ],
    [{ authentication_type: 'NONE' as const, username: 'u' }, 'INVALID_FIELD', 'username'],
    [{ api_key: 'k' }, 'MISSING_FIELD', 'authentication_type'],
    [
      { authentication_type: 'API_KEY' as const, api_header_field: 'Bad Name', api_key: 'k' },
      'INVALID_FIELD',
      'api_header_field',
    ],
  ])('refuses %j with %s on %s', (input, code, field) => {
    expect(refusal(() => authenticationOf(input, null))).toEqual({ code, field });
  });

  it('keeps stored credentials when the current type is sent alone, and none when nothing is sent', () => {
    expect(authenticationOf({ authentication_type: 'PASSWORD' }, endpoint())).toBeUndefined();
    expect(authenticationOf({}, endpoint())).toBeUndefined();
    expect(refusal(() => authenticationOf({ authentication_type: 'API_KEY' }, endpoint()))).toEqual(
      {
        code: 'MISSING_FIELD',
        field: 'api_header_field',
      },
    );
  });
});

describe('patchOf', () => {
  it('changes the status only when active differs from it', () => {
    expect(patchOf({ active: true }, endpoint()).status).toBeUndefined();
    expect(patchOf({ active: false }, endpoint()).status).toBe('paused');
    expect(patchOf({ active: true }, endpoint({ status: 'suspended' })).status).toBe('active');
  });

  it('treats null included_actions as every action and leaves absent fields alone', () => {
    const patch = patchOf({ included_actions: null }, endpoint());
    expect(patch.topics).toEqual(['*']);
    expect(patch.excludedTopics).toBeUndefined();
    expect(patch.url).toBeUndefined();
  });

  it('asks for the penalty-box release in the same patch, so it commits with the update', () => {
    expect(patchOf({ penalty_box_data: null, url: 'https://x.test/' }, endpoint())).toMatchObject({
      url: 'https://x.test/',
      releasePenalty: true,
    });
    expect(patchOf({ url: 'https://x.test/' }, endpoint()).releasePenalty).toBe(false);
  });
});

describe('releasesPenaltyBox', () => {
  it('releases on null, ignores absence and refuses a value', () => {
    expect(releasesPenaltyBox({ penalty_box_data: null })).toBe(true);
    expect(releasesPenaltyBox({})).toBe(false);
    expect(refusal(() => releasesPenaltyBox({ penalty_box_data: { retry_count: 1 } }))).toEqual({
      code: 'INVALID_FIELD',
      field: 'penalty_box_data',
    });
  });
});
