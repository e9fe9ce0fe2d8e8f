import { createHmac, timingSafeEqual } from 'node:crypto';
import Featurebase, {
  AuthenticationError,
  BadRequestError,
  NotFoundError,
  PermissionDeniedError,
  UnprocessableEntityError,
} from 'featurebase-node';
import { Webhook } from 'standardwebhooks';
import { DELIVERY_ENV, endpointBody, startTestApp, type TestApp } from './harness';
import { type Receipt, Receiver } from './receiver';

type Topic = Featurebase.WebhookCreateParams['topics'][number];

const NOVA = '2026-01-01.nova';
const CLOVER = '2025-12-12.clover';
const OBJECT_ID = /^[0-9a-f]{24}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** A receiver-side check exactly as Featurebase documents it ("webhooks/security"). */
function verifiesAsFeaturebaseDocuments(secret: string, receipt: Receipt): boolean {
  const signature = receipt.headers['x-webhook-signature'];
  const timestamp = receipt.headers['x-webhook-timestamp'];
  if (typeof signature !== 'string' || typeof timestamp !== 'string') return false;
  if (Math.abs(Math.floor(Date.now() / 1000) - Number(timestamp)) > 300) return false;
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(Buffer.from(`${timestamp}.${receipt.body}`, 'utf8'))
    .digest('hex');
  return (
    expected.length === signature.length &&
    timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
  );
}

/** The body of a Featurebase error the client threw. */
function errorBody(error: unknown): unknown {
  return (error as { error?: unknown }).error;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('Featurebase-compatible API', () => {
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  let organizationId: string;
  let client: Featurebase;

  const clientFor = (apiKey: string) =>
    new Featurebase({
      apiKey,
      baseURL: `${t.baseUrl}/featurebase`,
      maxRetries: 0,
      logLevel: 'off',
    });

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp({ ...DELIVERY_ENV, HOOKYARD_ENDPOINT_LIMIT: '50' }, { worker: true });
    ({ apiKey: key, organizationId } = await t.createOrganization());
    client = clientFor(key);
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  describe('the official client, method by method', () => {
    it('creates, retrieves, updates, refreshes the secret of and deletes a webhook', async () => {
      const created = await client.webhooks.create({
        name: 'Production Webhook',
        url: 'https://example.com/webhooks',
        description: 'Handles all production events',
        topics: ['post.created', 'post.updated'],
        requestConfig: { headers: { 'X-Custom-Header': 'value' } },
      });
      expect({ ...created }).toEqual({
        object: 'webhook',
        id: expect.stringMatching(OBJECT_ID),
        name: 'Production Webhook',
        url: 'https://example.com/webhooks',
        description: 'Handles all production events',
        topics: ['post.created', 'post.updated'],
        status: 'active',
        requestConfig: { timeoutMs: 5000, headers: { 'X-Custom-Header': 'value' } },
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
        health: {
          avgResponseTime: 0,
          consecutiveFailures: 0,
          errorsSinceLastSuccess: 0,
          lastResponseTime: 0,
          lastSuccessAt: null,
        },
        lastStatus: null,
        version: '1.0',
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      });

      expect({ ...(await client.webhooks.retrieve(created.id)) }).toEqual({ ...created });

      const updated = await client.webhooks.update(created.id, {
        name: 'Renamed',
        description: null,
        topics: ['post.deleted', 'comment.created'],
        requestConfig: { headers: { 'X-Other': 'other' } },
        status: 'paused',
      });
      expect({ ...updated }).toEqual({
        ...created,
        name: 'Renamed',
        description: null,
        topics: ['post.deleted', 'comment.created'],
        requestConfig: { timeoutMs: 5000, headers: { 'X-Other': 'other' } },
        status: 'paused',
        updatedAt: expect.stringMatching(ISO),
      });

      const refreshed = await client.webhooks.refreshSecret(created.id);
      expect(refreshed.secret).toMatch(/^whsec_/);
      expect(refreshed.secret).not.toBe(created.secret);
      expect({ ...refreshed, secret: created.secret, updatedAt: null }).toEqual({
        ...updated,
        updatedAt: null,
      });
      expect((await client.webhooks.retrieve(created.id)).secret).toBe(refreshed.secret);

      expect({ ...(await client.webhooks.delete(created.id)) }).toEqual({
        id: created.id,
        object: 'webhook',
        deleted: true,
      });
      expect(await rejection(client.webhooks.retrieve(created.id))).toBeInstanceOf(NotFoundError);
    });

    it('auto-paginates over more than one page with cursor and nextCursor, oldest first', async () => {
      const org = await t.createOrganization();
      const own = clientFor(org.apiKey);
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        ids.push(
          (
            await own.webhooks.create({
              name: `hook ${i}`,
              url: `https://example.com/hooks/${i}`,
              topics: ['ticket.created'],
            })
          ).id,
        );
      }

      const first = await own.webhooks.list();
      expect(first.data.map((w) => w.id)).toEqual(ids.slice(0, 10));
      expect(first.nextCursor).toEqual(expect.any(String));
      expect(first.hasNextPage()).toBe(true);
      const second = await first.getNextPage();
      expect(second.data.map((w) => w.id)).toEqual(ids.slice(10));
      expect(second.nextCursor).toBeNull();
      expect(second.data[0]).toMatchObject({ object: 'webhook', secret: expect.any(String) });

      const seen: string[] = [];
      for await (const webhook of own.webhooks.list({ limit: 5 })) seen.push(webhook.id);
      expect(seen).toEqual(ids);

      await own.webhooks.update(ids[3], { status: 'paused' });
      await own.webhooks.update(ids[11], { status: 'paused' });
      const paused: string[] = [];
      for await (const webhook of own.webhooks.list({ status: 'paused', limit: 1 }))
        paused.push(webhook.id);
      expect(paused).toEqual([ids[3], ids[11]]);
    });

    it('answers the raw list shape `{object: "list", data, nextCursor}`', async () => {
      const org = await t.createOrganization();
      const own = clientFor(org.apiKey);
      await own.webhooks.create({
        name: 'a',
        url: 'https://example.com/a',
        topics: ['post.voted'],
      });
      const response = await t.request('GET', '/featurebase/v2/webhooks?limit=1', {
        key: org.apiKey,
      });
      expect(response.status).toBe(200);
      expect(Object.keys(response.body as object)).toEqual(['object', 'data', 'nextCursor']);
      expect(response.body).toMatchObject({ object: 'list', nextCursor: null });
    });

    it('accepts requestConfig.timeoutMs as the docs’ create example sends it', async () => {
      const response = await t.request('POST', '/featurebase/v2/webhooks', {
        key,
        body: {
          name: 'timeout',
          url: 'https://example.com/timeout',
          topics: ['post.created'],
          requestConfig: { timeoutMs: 10000 },
        },
      });
      expect(response.status).toBe(201);
      expect(response.body.requestConfig).toEqual({ timeoutMs: 10000, headers: {} });
      await client.webhooks.delete(response.body.id);
    });

    it('resets health when a suspended webhook is reactivated', async () => {
      const webhook = await client.webhooks.create({
        name: 'revive',
        url: 'https://example.com/revive',
        topics: ['post.created'],
      });
      await t.dataSource.query(
        `UPDATE endpoints SET status = 'suspended', status_reason = 'gone', suspended_at = now(),
           consecutive_failures = 7, errors_since_last_success = 9, avg_response_time = 120,
           last_response_time = 80 WHERE id = $1`,
        [webhook.id],
      );
      const before = await client.webhooks.retrieve(webhook.id);
      expect(before.status).toBe('suspended');
      expect(before.health).toMatchObject({ consecutiveFailures: 7, errorsSinceLastSuccess: 9 });
      const revived = await client.webhooks.update(webhook.id, { status: 'active' });
      expect(revived.status).toBe('active');
      expect(revived.health).toEqual({
        avgResponseTime: 0,
        consecutiveFailures: 0,
        errorsSinceLastSuccess: 0,
        lastResponseTime: 0,
        lastSuccessAt: null,
      });
      await client.webhooks.delete(webhook.id);
    });
  });

  describe('errors in Featurebase’s shape', () => {
    const shape = (status: number, type: string, code: string, param: string | null) => ({
      error: { type, code, message: expect.any(String), param, status },
    });

    it('401 authentication for a wrong key', async () => {
      const error = await rejection(clientFor('hk_wrong').webhooks.list());
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).status).toBe(401);
      expect(errorBody(error)).toEqual(shape(401, 'authentication', 'unauthenticated', null));
    });

    it('403 authorization for a key without the permission', async () => {
      const scoped = await t.request('POST', '/v1/api-keys', {
        key,
        body: { name: 'read only', permissions: ['WEBHOOK.READ'] },
      });
      expect(scoped.status).toBe(201);
      const readOnly = clientFor(scoped.body.key as string);
      await readOnly.webhooks.list();
      const error = await rejection(
        readOnly.webhooks.create({
          name: 'x',
          url: 'https://example.com/x',
          topics: ['post.created'],
        }),
      );
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect((error as PermissionDeniedError).status).toBe(403);
      expect(errorBody(error)).toEqual(shape(403, 'authorization', 'forbidden', null));
    });

    it('404 for a missing webhook and for another tenant’s webhook', async () => {
      const missing = await rejection(client.webhooks.retrieve('0123456789abcdef01234567'));
      expect(missing).toBeInstanceOf(NotFoundError);
      expect(errorBody(missing)).toEqual(shape(404, 'invalid_request', 'not_found', null));

      const other = await t.createOrganization();
      const theirs = await clientFor(other.apiKey).webhooks.create({
        name: 'theirs',
        url: 'https://example.com/theirs',
        topics: ['post.created'],
      });
      for (const call of [
        client.webhooks.retrieve(theirs.id),
        client.webhooks.update(theirs.id, { name: 'mine now' }),
        client.webhooks.refreshSecret(theirs.id),
        client.webhooks.delete(theirs.id),
      ]) {
        const error = await rejection(call);
        expect(error).toBeInstanceOf(NotFoundError);
      }
      expect((await clientFor(other.apiKey).webhooks.retrieve(theirs.id)).secret).toBe(
        theirs.secret,
      );
    });

    it('422 for a topic outside the catalogue', async () => {
      const error = await rejection(
        client.webhooks.create({
          name: 'x',
          url: 'https://example.com/x',
          topics: ['invoice.paid' as Topic],
        }),
      );
      expect(error).toBeInstanceOf(UnprocessableEntityError);
      expect((error as UnprocessableEntityError).status).toBe(422);
      expect(errorBody(error)).toEqual(shape(422, 'invalid_request', 'topic_unknown', 'topics[0]'));
    });

    const valid = { name: 'x', url: 'https://example.com/x', topics: ['post.created'] };
    const headers = Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [`X-Header-${i}`, 'v']),
    );
    it.each([
      [
        'an http URL (even where the deployment allows HTTP)',
        { ...valid, url: 'http://example.com/x' },
        'url_must_be_https',
        'url',
      ],
      ['a name over 100 characters', { ...valid, name: 'n'.repeat(101) }, 'name_invalid', 'name'],
      [
        'a description over 500 characters',
        { ...valid, description: 'd'.repeat(501) },
        'description_invalid',
        'description',
      ],
      [
        'more than 10 headers',
        { ...valid, requestConfig: { headers } },
        'too_many_headers',
        'requestConfig.headers',
      ],
      ['a topic pattern', { ...valid, topics: ['post.*'] }, 'topic_invalid', 'topics[0]'],
      ['a missing name', { url: valid.url, topics: valid.topics }, 'validation_failed', 'name'],
      ['an unknown property', { ...valid, secret: 'whsec_x' }, 'property_not_allowed', 'secret'],
    ])('400 on create for %s', async (_, body, code, param) => {
      const error = await rejection(
        client.webhooks.create(body as Featurebase.WebhookCreateParams),
      );
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).status).toBe(400);
      expect(errorBody(error)).toEqual(shape(400, 'invalid_request', code, param));
    });

    it('400 on update for status "suspended" (only active or paused may be set)', async () => {
      const webhook = await client.webhooks.create({ ...valid, topics: ['post.created'] });
      const error = await rejection(
        client.webhooks.update(webhook.id, { status: 'suspended' as 'paused' }),
      );
      expect(error).toBeInstanceOf(BadRequestError);
      expect(errorBody(error)).toEqual(
        shape(400, 'invalid_request', 'validation_failed', 'status'),
      );
      await client.webhooks.delete(webhook.id);
    });

    it.each([
      ['limit=0', 'validation_failed', 'limit'],
      ['limit=101', 'validation_failed', 'limit'],
      ['cursor=not-a-cursor', 'invalid_cursor', 'cursor'],
      ['status=deleted', 'validation_failed', 'status'],
    ])('400 on list for %s', async (query, code, param) => {
      const response = await t.request('GET', `/featurebase/v2/webhooks?${query}`, { key });
      expect(response.status).toBe(400);
      expect(response.body).toEqual(shape(400, 'invalid_request', code, param));
    });

    it('400 for an id that is not an ObjectId', async () => {
      const error = await rejection(client.webhooks.retrieve('abc'));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(errorBody(error)).toEqual(shape(400, 'invalid_request', 'id_invalid', 'id'));
    });

    it('keeps the shape for malformed JSON and unknown paths under /featurebase', async () => {
      const malformed = await t.request('POST', '/featurebase/v2/webhooks', {
        key,
        rawBody: '{"name": ',
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body).toEqual(shape(400, 'invalid_request', 'body_invalid', null));
      const unknown = await t.request('GET', '/featurebase/v2/nothing-here', { key });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual(shape(404, 'invalid_request', 'not_found', null));
      const native = await t.request('GET', '/v1/nothing-here', { key });
      expect(native.contentType).toContain('application/problem+json');
    });

    it('400 when the organization is at its webhook limit (default 10)', async () => {
      const defaults = await startTestApp();
      try {
        const org = await defaults.createOrganization();
        const own = new Featurebase({
          apiKey: org.apiKey,
          baseURL: `${defaults.baseUrl}/featurebase`,
          maxRetries: 0,
          logLevel: 'off',
        });
        for (let i = 0; i < 10; i++)
          await own.webhooks.create({ ...valid, topics: ['post.created'], name: `n${i}` });
        const error = await rejection(own.webhooks.create({ ...valid, topics: ['post.created'] }));
        expect(error).toBeInstanceOf(BadRequestError);
        expect(errorBody(error)).toEqual(
          shape(400, 'invalid_request', 'endpoint_limit_reached', null),
        );
        expect((errorBody(error) as { error: { message: string } }).error.message).toContain('10');
      } finally {
        await defaults.close();
      }
    });
  });

  describe('Featurebase-Version', () => {
    it('answers for 2026-01-01.nova and echoes the version', async () => {
      const page = await client.webhooks.list({ 'Featurebase-Version': NOVA });
      expect(Array.isArray(page.data)).toBe(true);
      const response = await fetch(`${t.baseUrl}/featurebase/v2/webhooks`, {
        headers: { authorization: `Bearer ${key}`, 'featurebase-version': NOVA },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('featurebase-version')).toBe(NOVA);
    });

    it('refuses 2025-12-12.clover, naming 2026-01-01.nova', async () => {
      const error = await rejection(client.webhooks.list({ 'Featurebase-Version': CLOVER }));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(errorBody(error)).toEqual({
        error: {
          type: 'invalid_request',
          code: 'version_not_supported',
          message: expect.stringContaining(NOVA),
          param: 'Featurebase-Version',
          status: 400,
        },
      });
    });

    it('answers 400 for an unknown version', async () => {
      const response = await t.request('GET', '/featurebase/v2/webhooks', {
        key,
        headers: { 'featurebase-version': '2024-01-01.banana' },
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        error: {
          type: 'invalid_request',
          code: 'invalid_version',
          message: expect.stringContaining(NOVA),
          param: 'Featurebase-Version',
          status: 400,
        },
      });
    });

    it('checks the key before the version', async () => {
      const error = await rejection(
        clientFor('hk_wrong').webhooks.list({ 'Featurebase-Version': CLOVER }),
      );
      expect(error).toBeInstanceOf(AuthenticationError);
    });

    it('uses the organization’s configured version when none is sent (nova by default)', async () => {
      const org = await t.createOrganization();
      const own = clientFor(org.apiKey);
      const byDefault = await fetch(`${t.baseUrl}/featurebase/v2/webhooks`, {
        headers: { authorization: `Bearer ${org.apiKey}` },
      });
      expect(byDefault.status).toBe(200);
      expect(byDefault.headers.get('featurebase-version')).toBe(NOVA);

      await t.dataSource.query('UPDATE organizations SET featurebase_version = $1 WHERE id = $2', [
        CLOVER,
        org.organizationId,
      ]);
      const error = await rejection(own.webhooks.list());
      expect(error).toBeInstanceOf(BadRequestError);
      expect((errorBody(error) as { error: { code: string } }).error.code).toBe(
        'version_not_supported',
      );
      await expect(own.webhooks.list({ 'Featurebase-Version': NOVA })).resolves.toMatchObject({
        data: expect.any(Array),
      });
    });
  });

  describe('one set of endpoints across dialects', () => {
    it('shows a webhook made here through /v1, and edits made there here', async () => {
      const webhook = await client.webhooks.create({
        name: 'shared',
        url: 'https://example.com/shared',
        topics: ['comment.created'],
      });
      const native = await t.request('GET', `/v1/endpoints/${webhook.id}`, { key });
      expect(native.status).toBe(200);
      expect(native.body).toMatchObject({
        id: webhook.id,
        name: 'shared',
        url: 'https://example.com/shared',
        topics: ['comment.created'],
        status: 'active',
      });
      const secret = await t.request('GET', `/v1/endpoints/${webhook.id}/secret`, { key });
      expect(secret.body.secret).toBe(webhook.secret);

      const patched = await t.request('PATCH', `/v1/endpoints/${webhook.id}`, {
        key,
        body: { name: 'renamed in v1', topics: ['comment.updated'] },
      });
      expect(patched.status).toBe(200);
      expect(await client.webhooks.retrieve(webhook.id)).toMatchObject({
        name: 'renamed in v1',
        topics: ['comment.updated'],
      });
      await client.webhooks.delete(webhook.id);
      expect((await t.request('GET', `/v1/endpoints/${webhook.id}`, { key })).status).toBe(404);
    });

    it('shows an endpoint made through /v1 here, and edits made here there', async () => {
      const made = await t.request('POST', '/v1/endpoints', {
        key,
        body: endpointBody({ url: 'https://example.com/native', name: 'native one' }),
      });
      expect(made.status).toBe(201);
      const webhook = await client.webhooks.retrieve(made.body.id as string);
      expect(webhook).toMatchObject({
        object: 'webhook',
        id: made.body.id,
        name: 'native one',
        secret: made.body.secret,
      });
      const listed: string[] = [];
      for await (const w of client.webhooks.list({ limit: 100 })) listed.push(w.id);
      expect(listed).toContain(made.body.id);

      await client.webhooks.update(webhook.id, { name: 'edited here', status: 'paused' });
      const native = await t.request('GET', `/v1/endpoints/${webhook.id}`, { key });
      expect(native.body).toMatchObject({ name: 'edited here', status: 'paused' });
      await t.request('DELETE', `/v1/endpoints/${webhook.id}`, { key });
    });
  });

  describe('deliveries', () => {
    async function publish(topic: string, data: unknown, previousData?: unknown): Promise<string> {
      const response = await t.request('POST', '/v1/events', {
        key,
        body: { topic, data, ...(previousData === undefined ? {} : { previousData }) },
      });
      expect(response.status).toBe(202);
      return response.body.id as string;
    }

    async function receipt(path: string, eventId: string): Promise<Receipt> {
      await receiver.waitFor((ledger) =>
        ledger.some((r) => r.path === path && r.webhookId === eventId),
      );
      const found = receiver.receipts(path).find((r) => r.webhookId === eventId);
      if (!found) throw new Error('no receipt');
      return found;
    }

    /** This dialect insists on HTTPS; the local receiver is plain HTTP, so the row is pointed at it. */
    const pointAtReceiver = (id: string, path: string) =>
      t.dataSource.query('UPDATE endpoints SET url = $1 WHERE id = $2', [receiver.url(path), id]);

    it('speaks Featurebase’s format to a Featurebase webhook and verifies both ways, across a secret refresh', async () => {
      const webhook = await client.webhooks.create({
        name: 'deliveries',
        url: 'https://example.com/fb-deliveries',
        topics: ['changelog.published'],
      });
      await pointAtReceiver(webhook.id, '/ok?featurebase');
      const native = await t.request('POST', '/v1/endpoints', {
        key,
        body: endpointBody({ url: receiver.url('/ok?native'), topics: ['changelog.published'] }),
      });
      expect(native.status).toBe(201);

      const data = { id: 'c1', title: 'New title', tags: ['a'], votes: 3 };
      const previous = { id: 'c1', title: 'Old title', tags: ['a'], votes: 3, draft: true };
      const first = await publish('changelog.published', data, previous);
      const fb = await receipt('/ok?featurebase', first);

      expect(JSON.parse(fb.body)).toEqual({
        id: `notif_${first}`,
        object: 'notification_event',
        topic: 'changelog.published',
        organizationId,
        webhookId: webhook.id,
        createdAt: expect.stringMatching(ISO),
        data: {
          type: 'notification_event_data',
          object: 'notification_event_data',
          item: data,
          changes: [
            { field: 'title', oldValue: 'Old title', newValue: 'New title' },
            { field: 'draft', oldValue: true, newValue: null },
          ],
        },
      });
      expect(fb.headers['content-type']).toBe('application/json');
      expect(fb.headers['x-webhook-timestamp']).toBe(fb.headers['webhook-timestamp']);
      expect(fb.headers['x-webhook-signature']).toMatch(/^[0-9a-f]{64}$/);
      expect(verifiesAsFeaturebaseDocuments(webhook.secret, fb)).toBe(true);
      expect(
        new Webhook(webhook.secret).verify(fb.body, fb.headers as Record<string, string>),
      ).toMatchObject({ id: `notif_${first}` });

      // The /v1 endpoint gets the native envelope for the very same event.
      const nat = await receipt('/ok?native', first);
      expect(JSON.parse(nat.body)).toEqual({
        type: 'changelog.published',
        timestamp: expect.stringMatching(ISO),
        data,
      });
      expect(nat.headers['x-webhook-signature']).toBeUndefined();
      expect(nat.headers['x-webhook-timestamp']).toBeUndefined();
      expect(
        new Webhook(native.body.secret as string).verify(
          nat.body,
          nat.headers as Record<string, string>,
        ),
      ).toMatchObject({ type: 'changelog.published' });

      const refreshed = await client.webhooks.refreshSecret(webhook.id);
      const second = await publish('changelog.published', { id: 'c2' });
      const after = await receipt('/ok?featurebase', second);
      expect(JSON.parse(after.body)).toMatchObject({
        id: `notif_${second}`,
        data: { item: { id: 'c2' }, changes: [] },
      });
      expect(verifiesAsFeaturebaseDocuments(refreshed.secret, after)).toBe(true);
      expect(
        new Webhook(refreshed.secret).verify(after.body, after.headers as Record<string, string>),
      ).toMatchObject({ id: `notif_${second}` });
      // The old secret fails at once: one signature only, made with the new secret.
      expect(verifiesAsFeaturebaseDocuments(webhook.secret, after)).toBe(false);
      expect(() =>
        new Webhook(webhook.secret).verify(after.body, after.headers as Record<string, string>),
      ).toThrow();
      expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    });

    it('keeps Featurebase’s format after the webhook is edited through /v1', async () => {
      const webhook = await client.webhooks.create({
        name: 'edited',
        url: 'https://example.com/edited',
        topics: ['ticket.deleted'],
      });
      await pointAtReceiver(webhook.id, '/ok?edited');
      const patched = await t.request('PATCH', `/v1/endpoints/${webhook.id}`, {
        key,
        body: { name: 'edited through v1' },
      });
      expect(patched.status).toBe(200);
      const id = await publish('ticket.deleted', { id: 't9' });
      const received = await receipt('/ok?edited', id);
      expect(JSON.parse(received.body)).toMatchObject({
        object: 'notification_event',
        topic: 'ticket.deleted',
      });
      expect(verifiesAsFeaturebaseDocuments(webhook.secret, received)).toBe(true);
    });

    it('keeps the native envelope for a /v1 endpoint after it is edited through this dialect', async () => {
      const made = await t.request('POST', '/v1/endpoints', {
        key,
        body: endpointBody({
          url: 'https://example.com/native-edited',
          topics: ['ticket.updated'],
        }),
      });
      await pointAtReceiver(made.body.id, '/ok?native-edited');
      await client.webhooks.update(made.body.id as string, { name: 'edited through featurebase' });
      const id = await publish('ticket.updated', { id: 't10' });
      const received = await receipt('/ok?native-edited', id);
      expect(JSON.parse(received.body)).toEqual({
        type: 'ticket.updated',
        timestamp: expect.any(String),
        data: { id: 't10' },
      });
      expect(received.headers['x-webhook-signature']).toBeUndefined();
      expect(
        new Webhook(made.body.secret as string).verify(
          received.body,
          received.headers as Record<string, string>,
        ),
      ).toMatchObject({ type: 'ticket.updated', data: { id: 't10' } });
    });
  });
});

describe('the Featurebase webhook list', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    // No worker: its polling would run queries of its own on the same data source.
    t = await startTestApp({ HOOKYARD_ENDPOINT_LIMIT: '50' });
    ({ apiKey: key } = await t.createOrganization());
    for (let i = 0; i < 10; i++) {
      const created = await t.request('POST', '/featurebase/v2/webhooks', {
        key,
        body: {
          name: `hook ${i}`,
          url: `https://example.com/hooks/${i}`,
          topics: ['post.created'],
        },
      });
      expect(created.status).toBe(201);
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  /** The queries the app runs to answer one list request for a page of `limit` webhooks. */
  async function queriesToList(limit: number): Promise<string[]> {
    const list = () =>
      t.request('GET', `/featurebase/v2/webhooks?limit=${limit}`, {
        key,
        headers: { 'featurebase-version': NOVA },
      });
    await list(); // the key is looked up once, then cached: count every request with it cached
    const logQuery = jest.spyOn(t.dataSource.logger, 'logQuery');
    try {
      const response = await list();
      expect(response.status).toBe(200);
      expect(response.body.data).toHaveLength(limit);
      expect(response.body.data[limit - 1].secret).toMatch(/^whsec_/);
      return logQuery.mock.calls.map(([query]) => query);
    } finally {
      logQuery.mockRestore();
    }
  }

  it('reads a page of 10 webhooks in as many queries as a page of 1 (their secrets in one)', async () => {
    const one = await queriesToList(1);
    const ten = await queriesToList(10);
    expect(ten).toHaveLength(one.length);
    expect(ten.filter((query) => query.includes('endpoint_secrets'))).toHaveLength(1);
  });
});
