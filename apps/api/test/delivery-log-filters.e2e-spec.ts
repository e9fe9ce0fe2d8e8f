import { ApiKeyService } from '@hookyard/api';
import { Hookyard, HookyardError } from '@hookyard/sdk';
import { eventually, type TestApp, type TestResponse, useDeliveryApp } from './harness';

const MINUTE = 60_000;
const HOUR = 3_600_000;

interface Published {
  readonly id: string;
  readonly topic: string;
  readonly poison: boolean;
  /** When its delivery was made, as moved by the test. */
  createdAt: Date;
}

interface ShownDelivery {
  id: string;
  eventId: string;
  topic: string;
  endpointId: string;
  status: string;
  attemptCount: number;
  createdAt: string;
}

interface ShownAttempt {
  id: string;
  deliveryId: string | null;
  trigger: string;
  errorClass: string | null;
  durationMs: number;
  createdAt: string;
}

interface ShownBucket {
  start: string;
  attempts: number;
  successes: number;
  failures: number;
  successRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  avgMs: number | null;
}

describe('delivery log filters and statistics', () => {
  const fixture = useDeliveryApp({
    HOOKYARD_RETRY_SCHEDULE: '1s',
    HOOKYARD_PENALTY_AFTER: '1000',
    HOOKYARD_PAUSE_AFTER: '1000',
  });
  let t: TestApp;
  let key: string;
  beforeAll(() => ({ t, key } = fixture));

  const get = (path: string, as: string = key) => t.request('GET', path, { key: as });
  const query = (params: Record<string, string | number | undefined>) =>
    new URLSearchParams(
      Object.entries(params).flatMap(([name, value]) =>
        value === undefined ? [] : [[name, String(value)] as [string, string]],
      ),
    ).toString();

  async function publish(topic: string, poison = false): Promise<string> {
    const response = await t.request('POST', '/v1/events', {
      key,
      body: { topic, data: { poison } },
    });
    expect(response.status).toBe(202);
    return response.body.id as string;
  }

  /** Waits until every delivery of the endpoint is done (succeeded, or failed for good). */
  async function settled(endpointId: string, count: number): Promise<ShownDelivery[]> {
    let deliveries: ShownDelivery[] = [];
    await eventually(async () => {
      deliveries = (await get(`/v1/endpoints/${endpointId}/deliveries?limit=200`)).body.data;
      expect(deliveries).toHaveLength(count);
      expect(deliveries.filter((d) => d.status === 'pending')).toEqual([]);
    }, 20_000);
    return deliveries;
  }

  function expectProblem(response: TestResponse, status: number, code: string, path: string) {
    expect([response.status, response.contentType]).toEqual([
      status,
      expect.stringContaining('application/problem+json'),
    ]);
    expect(response.body).toMatchObject({ status, code });
    expect(response.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path })]),
    );
  }

  describe('the deliveries of an endpoint', () => {
    let endpointId: string;
    const events: Published[] = [];
    const base = Date.now() - 24 * HOUR;

    beforeAll(async () => {
      endpointId = (
        await fixture.endpoint('/poison?filters', { topics: ['post.created', 'post.updated'] })
      ).id;
      // Eight events, alternating topics; three of them poisoned (the receiver answers 500).
      for (let i = 0; i < 8; i++) {
        const topic = i % 2 === 0 ? 'post.created' : 'post.updated';
        const poison = i === 2 || i === 3 || i === 7;
        events.push({ id: await publish(topic, poison), topic, poison, createdAt: new Date(0) });
      }
      await settled(endpointId, events.length);
      // The deliveries were made within a second: spread them an hour apart, oldest first.
      for (const [i, event] of events.entries()) {
        event.createdAt = new Date(base + i * HOUR);
        await t.dataSource.query(
          `UPDATE deliveries SET created_at = $1 WHERE endpoint_id = $2 AND event_id = $3`,
          [event.createdAt, endpointId, event.id],
        );
      }
    });

    /** Every page of the filtered list, two at a time: the event ids, newest first. */
    async function listed(filters: Record<string, string | undefined>): Promise<string[]> {
      const seen: ShownDelivery[] = [];
      let cursor: string | undefined;
      do {
        const page = await get(
          `/v1/endpoints/${endpointId}/deliveries?${query({ ...filters, limit: 2, cursor })}`,
        );
        expect(page.status).toBe(200);
        expect(page.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.data);
        cursor = page.body.nextCursor ?? undefined;
      } while (cursor);
      expect(new Set(seen.map((d) => d.id)).size).toBe(seen.length);
      const times = seen.map((d) => Date.parse(d.createdAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      return seen.map((d) => d.eventId);
    }

    const newestFirst = (chosen: (event: Published, i: number) => boolean) =>
      events
        .filter(chosen)
        .reverse()
        .map((event) => event.id);

    it('lists every delivery across pages without filters', async () => {
      expect(await listed({})).toEqual(newestFirst(() => true));
    });

    it('narrows by creation time, both ends inclusive, across pages', async () => {
      const since = events[2].createdAt.toISOString();
      const until = events[6].createdAt.toISOString();
      expect(await listed({ since, until })).toEqual(newestFirst((_, i) => i >= 2 && i <= 6));
      expect(await listed({ since })).toEqual(newestFirst((_, i) => i >= 2));
      expect(await listed({ until })).toEqual(newestFirst((_, i) => i <= 6));
      expect(await listed({ since: until, until })).toEqual([events[6].id]);
    });

    it('narrows by exact topic, across pages', async () => {
      expect(await listed({ topic: 'post.updated' })).toEqual(
        newestFirst((e) => e.topic === 'post.updated'),
      );
      expect(await listed({ topic: 'post.deleted' })).toEqual([]);
      expect(await listed({ topic: 'post' })).toEqual([]);
    });

    it('narrows by status, and by all filters at once', async () => {
      expect(await listed({ status: 'failed' })).toEqual(newestFirst((e) => e.poison));
      expect(await listed({ status: 'succeeded' })).toEqual(newestFirst((e) => !e.poison));
      const since = events[3].createdAt.toISOString();
      expect(await listed({ status: 'failed', topic: 'post.updated', since })).toEqual(
        newestFirst((e, i) => e.poison && e.topic === 'post.updated' && i >= 3),
      );
    });

    it('names the topic of each delivery’s event, in the endpoint’s list and the event’s', async () => {
      const page = await get(`/v1/endpoints/${endpointId}/deliveries?limit=200`);
      const topics = new Map(events.map((event) => [event.id, event.topic]));
      expect((page.body.data as ShownDelivery[]).map((d) => [d.eventId, d.topic]).sort()).toEqual(
        [...topics.entries()].sort(),
      );
      const filtered = await get(`/v1/endpoints/${endpointId}/deliveries?topic=post.updated`);
      expect(new Set(filtered.body.data.map((d: ShownDelivery) => d.topic))).toEqual(
        new Set(['post.updated']),
      );
      for (const event of [events[0], events[1]]) {
        const ofEvent = await get(`/v1/events/${event.id}/deliveries`);
        expect(ofEvent.body.data).toEqual([
          expect.objectContaining({ eventId: event.id, endpointId, topic: event.topic }),
        ]);
      }
    });

    it.each([
      ['since', { since: 'yesterday' }],
      ['until', { until: '2026-13-01T00:00:00Z' }],
      ['topic', { topic: 'Not A Topic' }],
      ['status', { status: 'lost' }],
    ])('refuses a malformed %s with 400 naming it', async (field, filters) => {
      const response = await get(`/v1/endpoints/${endpointId}/deliveries?${query(filters)}`);
      expectProblem(response, 400, 'VALIDATION_FAILED', field);
    });

    it('refuses until before since with 422 naming until', async () => {
      const response = await get(
        `/v1/endpoints/${endpointId}/deliveries?${query({
          since: events[3].createdAt.toISOString(),
          until: events[2].createdAt.toISOString(),
        })}`,
      );
      expectProblem(response, 422, 'RANGE_INVALID', 'until');
    });

    it('answers 404 for another tenant’s endpoint, filters or not', async () => {
      const other = await t.createOrganization();
      for (const filters of [{}, { topic: 'post.created', status: 'failed' }]) {
        const response = await get(
          `/v1/endpoints/${endpointId}/deliveries?${query(filters)}`,
          other.apiKey,
        );
        expect([response.status, response.body.code]).toEqual([404, 'NOT_FOUND']);
      }
    });
  });

  describe('the attempts of a delivery', () => {
    let endpointId: string;
    let failed: ShownDelivery;
    let succeeded: ShownDelivery;

    beforeAll(async () => {
      endpointId = (await fixture.endpoint('/poison?per-delivery', { topics: ['comment.updated'] }))
        .id;
      // The poisoned one is tried twice (the first try and one retry), the other once.
      const poisoned = await publish('comment.updated', true);
      await publish('comment.updated');
      const deliveries = await settled(endpointId, 2);
      failed = deliveries.find((d) => d.eventId === poisoned)!;
      succeeded = deliveries.find((d) => d.eventId !== poisoned)!;
      expect([failed.status, failed.attemptCount, succeeded.attemptCount]).toEqual([
        'failed',
        2,
        1,
      ]);
      const test = await t.request('POST', `/v1/endpoints/${endpointId}/test`, { key, body: {} });
      expect(test.status).toBe(200);
      // Attempts are recorded just after the answer: wait until the log holds all four.
      await eventually(async () => {
        const all = (await get(`/v1/endpoints/${endpointId}/attempts?limit=200`)).body.data;
        expect(all).toHaveLength(4);
      });
    });

    /** Every page of the delivery's attempts, one at a time. */
    async function attemptsOf(deliveryId: string, as: string = key): Promise<ShownAttempt[]> {
      const seen: ShownAttempt[] = [];
      let cursor: string | undefined;
      do {
        const page = await get(
          `/v1/deliveries/${deliveryId}/attempts?${query({ limit: 1, cursor })}`,
          as,
        );
        expect(page.status).toBe(200);
        expect(page.body.data.length).toBeLessThanOrEqual(1);
        seen.push(...page.body.data);
        cursor = page.body.nextCursor ?? undefined;
      } while (cursor);
      return seen;
    }

    it('lists exactly that delivery’s attempts, newest first, across pages', async () => {
      const log: ShownAttempt[] = (await get(`/v1/endpoints/${endpointId}/attempts?limit=200`)).body
        .data;
      const ofFailed = await attemptsOf(failed.id);
      expect(ofFailed.map((a) => a.id)).toEqual(
        log.filter((a) => a.deliveryId === failed.id).map((a) => a.id),
      );
      expect(ofFailed).toHaveLength(2);
      expect(ofFailed.map((a) => [a.deliveryId, a.trigger, a.errorClass])).toEqual([
        [failed.id, 'scheduled', 'http_status'],
        [failed.id, 'scheduled', 'http_status'],
      ]);
      const times = ofFailed.map((a) => Date.parse(a.createdAt));
      expect(times[0]).toBeGreaterThanOrEqual(times[1]);
      const ofSucceeded = await attemptsOf(succeeded.id);
      expect(ofSucceeded.map((a) => [a.deliveryId, a.errorClass])).toEqual([[succeeded.id, null]]);
    });

    it('answers one page of up to `limit` with a cursor to the rest', async () => {
      const first = await get(`/v1/deliveries/${failed.id}/attempts?limit=1`);
      expect([first.body.data.length, typeof first.body.nextCursor]).toEqual([1, 'string']);
      const whole = await get(`/v1/deliveries/${failed.id}/attempts`);
      expect([whole.body.data.length, whole.body.nextCursor]).toEqual([2, null]);
      expect(whole.body.data[0]).toEqual(first.body.data[0]);
    });

    it('answers 404 for another tenant’s delivery and for an unknown one', async () => {
      const other = await t.createOrganization();
      const foreign = await get(`/v1/deliveries/${failed.id}/attempts`, other.apiKey);
      expect([foreign.status, foreign.body.code]).toEqual([404, 'NOT_FOUND']);
      const unknown = await get(`/v1/deliveries/${'f'.repeat(24)}/attempts`);
      expect([unknown.status, unknown.body.code, unknown.body.detail]).toEqual([
        404,
        'NOT_FOUND',
        foreign.body.detail,
      ]);
    });
  });

  describe('statistics', () => {
    let endpointId: string;
    let attempts: ShownAttempt[];

    beforeAll(async () => {
      endpointId = (await fixture.endpoint('/poison?stats', { topics: ['comment.created'] })).id;
      // Three answered 200 at once; two answered 500 twice (the first try and one retry).
      for (const poison of [false, true, false, true, false])
        await publish('comment.created', poison);
      await settled(endpointId, 5);
      const test = await t.request('POST', `/v1/endpoints/${endpointId}/test`, { key, body: {} });
      expect(test.body).toMatchObject({ success: true });
      attempts = (await get(`/v1/endpoints/${endpointId}/attempts?limit=200`)).body.data;
      expect(attempts.map((a) => a.trigger).sort()).toEqual([
        ...Array<string>(7).fill('scheduled'),
        'test',
      ]);
    });

    const stats = (params: Record<string, string | undefined>, as: string = key) =>
      get(`/v1/endpoints/${endpointId}/stats?${query(params)}`, as);

    it('counts the attempts of each minute, successes and failures, every minute present, test sends left out', async () => {
      const until = new Date();
      const since = new Date(until.getTime() - 10 * MINUTE);
      const response = await stats({
        since: since.toISOString(),
        until: until.toISOString(),
        bucket: 'minute',
      });
      expect(response.status).toBe(200);
      expect(response.body.bucket).toBe('minute');
      const data: ShownBucket[] = response.body.data;

      const first = Math.floor(since.getTime() / MINUTE) * MINUTE;
      const last = Math.floor(until.getTime() / MINUTE) * MINUTE;
      expect(data.map((b) => Date.parse(b.start))).toEqual(
        Array.from({ length: (last - first) / MINUTE + 1 }, (_, i) => first + i * MINUTE),
      );
      const sums = data.reduce(
        (sum, b) => [sum[0] + b.attempts, sum[1] + b.successes, sum[2] + b.failures],
        [0, 0, 0],
      );
      expect(sums).toEqual([7, 3, 4]);

      // Each bucket agrees with the attempt log itself.
      for (const bucket of data) {
        const start = Date.parse(bucket.start);
        const inside = attempts.filter(
          (a) =>
            a.trigger !== 'test' &&
            Date.parse(a.createdAt) >= start &&
            Date.parse(a.createdAt) < start + MINUTE,
        );
        const successes = inside.filter((a) => a.errorClass === null).length;
        const durations = inside.map((a) => a.durationMs).sort((a, b) => a - b);
        expect(bucket).toEqual({
          start: new Date(start).toISOString(),
          attempts: inside.length,
          successes,
          failures: inside.length - successes,
          successRate: inside.length === 0 ? null : successes / inside.length,
          p50Ms: inside.length === 0 ? null : Math.round(percentile(durations, 0.5)),
          p95Ms: inside.length === 0 ? null : Math.round(percentile(durations, 0.95)),
          avgMs:
            inside.length === 0
              ? null
              : Math.round(durations.reduce((a, b) => a + b, 0) / inside.length),
        });
      }
      const empty = data.filter((b) => b.attempts === 0);
      expect(empty.length).toBeGreaterThanOrEqual(data.length - 2);
      expect(empty[0]).toMatchObject({ successRate: null, p50Ms: null, avgMs: null });
    });

    it('defaults to the last day in hours, up to the current hour', async () => {
      const before = Math.floor(Date.now() / HOUR) * HOUR;
      const response = await stats({});
      const after = Math.floor(Date.now() / HOUR) * HOUR;
      expect(response.status).toBe(200);
      expect(response.body.bucket).toBe('hour');
      const starts = (response.body.data as ShownBucket[]).map((b) => Date.parse(b.start));
      expect(starts).toHaveLength(25);
      expect(starts.slice(1).map((s, i) => s - starts[i])).toEqual(Array(24).fill(HOUR));
      expect([before, after]).toContain(starts[24]);
      expect((response.body.data as ShownBucket[]).reduce((sum, b) => sum + b.attempts, 0)).toBe(7);
    });

    it('allows 500 buckets and refuses 501 with 422 naming bucket', async () => {
      const since = new Date(Math.floor(Date.now() / MINUTE) * MINUTE - 499 * MINUTE);
      const until = new Date(since.getTime() + 499 * MINUTE);
      const allowed = await stats({
        since: since.toISOString(),
        until: until.toISOString(),
        bucket: 'minute',
      });
      expect([allowed.status, allowed.body.data.length]).toEqual([200, 500]);
      const refused = await stats({
        since: new Date(since.getTime() - MINUTE).toISOString(),
        until: until.toISOString(),
        bucket: 'minute',
      });
      expectProblem(refused, 422, 'RANGE_INVALID', 'bucket');
      const daily = await stats({
        since: new Date(since.getTime() - MINUTE).toISOString(),
        bucket: 'day',
      });
      expect(daily.status).toBe(200);
    });

    it('refuses until before since (422), an unknown bucket and a malformed time (400), each naming the field', async () => {
      const now = Date.now();
      expectProblem(
        await stats({
          since: new Date(now).toISOString(),
          until: new Date(now - MINUTE).toISOString(),
        }),
        422,
        'RANGE_INVALID',
        'until',
      );
      expectProblem(await stats({ bucket: 'week' }), 400, 'VALIDATION_FAILED', 'bucket');
      expectProblem(await stats({ since: 'an hour ago' }), 400, 'VALIDATION_FAILED', 'since');
      expectProblem(
        await stats({ until: '2026-02-30T00:00:00Z' }),
        400,
        'VALIDATION_FAILED',
        'until',
      );
    });

    it('are read through the SDK, whose errors name the field', async () => {
      const hy = new Hookyard({ apiKey: key, baseUrl: t.baseUrl, maxRetries: 0 });
      const until = new Date();
      const stats = await hy.endpoints.stats(endpointId, {
        since: new Date(until.getTime() - 5 * MINUTE).toISOString(),
        until: until.toISOString(),
        bucket: 'minute',
      });
      expect(stats.bucket).toBe('minute');
      expect(stats.data.reduce((sum, b) => sum + b.failures, 0)).toBe(4);
      const failed = await hy.endpoints
        .listDeliveries(endpointId, { status: 'failed', topic: 'comment.created', limit: 1 })
        .toArray();
      expect(failed.map((d) => d.attemptCount)).toEqual([2, 2]);
      const refused = await hy.endpoints
        .stats(endpointId, { since: new Date(0).toISOString(), bucket: 'minute' })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(HookyardError);
      expect(refused).toMatchObject({
        status: 422,
        code: 'RANGE_INVALID',
        errors: [expect.objectContaining({ path: 'bucket' })],
      });
    });

    it('answers 404 for another tenant’s endpoint and for an unknown one', async () => {
      const other = await t.createOrganization();
      const foreign = await stats({}, other.apiKey);
      expect([foreign.status, foreign.body.code]).toEqual([404, 'NOT_FOUND']);
      const unknown = await get(`/v1/endpoints/${'f'.repeat(24)}/stats`);
      expect([unknown.status, unknown.body.code]).toEqual([404, 'NOT_FOUND']);
    });
  });

  it('shows an attempt’s status, duration, error class, excerpt and request headers, signatures and credentials redacted', async () => {
    const target = await fixture.endpoint('/status/500?shown', {
      topics: ['ticket.created'],
      authentication: { type: 'api_key', headerName: 'X-Receiver-Token', apiKey: 'CanaryToken42' },
      requestConfig: { headers: { 'X-Tenant': 'acme' } },
    });
    await publish('ticket.created');
    await fixture.receiver.waitFor((ledger) => ledger.some((r) => r.path === '/status/500?shown'));
    const received = fixture.receiver.receipts('/status/500?shown')[0];
    let attempt: Record<string, any> = {};
    await eventually(async () => {
      [attempt] = (await get(`/v1/endpoints/${target.id}/attempts`)).body.data;
      expect(attempt).toBeDefined();
    });
    expect(attempt).toMatchObject({
      statusCode: 500,
      durationMs: expect.any(Number),
      errorClass: 'http_status',
      responseExcerpt: 'status 500',
    });
    const headers = attempt.requestHeaders as Record<string, string>;
    const shown = Object.fromEntries(Object.entries(headers).map(([n, v]) => [n.toLowerCase(), v]));
    expect(shown).toMatchObject({
      'x-tenant': 'acme',
      'webhook-id': received.webhookId,
      'webhook-timestamp': received.headers['webhook-timestamp'],
      'x-receiver-token': '[redacted]',
      'webhook-signature': '[redacted]',
    });
    const text = JSON.stringify(attempt);
    expect(text).not.toContain('CanaryToken42');
    expect(text).not.toContain(String(received.headers['webhook-signature']).split(',')[1]);
  });

  describe('a caller limited to some endpoints', () => {
    let allowed: string;
    let hidden: string;
    let scopedKey: string;
    let shared: string;
    let hiddenOnly: string;
    let hiddenDelivery: string;
    let other: { apiKey: string };

    beforeAll(async () => {
      allowed = (await fixture.endpoint('/ok?scope-allowed', { topics: ['post.voted'] })).id;
      hidden = (
        await fixture.endpoint('/ok?scope-hidden', { topics: ['post.voted', 'post.deleted'] })
      ).id;
      shared = await publish('post.voted');
      hiddenOnly = await publish('post.deleted');
      await settled(allowed, 1);
      [{ id: hiddenDelivery }] = (await settled(hidden, 2)).filter((d) => d.eventId === shared);
      const created = await t.request('POST', '/v1/api-keys', {
        key,
        body: { name: 'scoped', permissions: ['*'] },
      });
      expect(created.status).toBe(201);
      scopedKey = created.body.key;
      other = await t.createOrganization();
      // Portal sessions are how such callers arrive; here an API key is narrowed as a session would be.
      const apiKeys = t.app.get(ApiKeyService);
      const authenticate = apiKeys.authenticate.bind(apiKeys);
      jest.spyOn(apiKeys, 'authenticate').mockImplementation(async (presented, now) => {
        const auth = await authenticate(presented, now);
        return auth && presented === scopedKey ? { ...auth, endpointIds: [allowed] } : auth;
      });
    });
    afterAll(() => jest.restoreAllMocks());

    const as = (method: string, path: string, caller: string) =>
      t.request(method, path, {
        key: caller,
        body: path.endsWith('/recover')
          ? { since: new Date(0).toISOString() }
          : method === 'POST'
            ? {}
            : undefined,
      });

    it('answers 404 for any other endpoint, its deliveries and events, exactly as for another tenant', async () => {
      for (const [method, path] of [
        ['GET', `/v1/endpoints/${hidden}/attempts`],
        ['GET', `/v1/endpoints/${hidden}/deliveries`],
        ['GET', `/v1/endpoints/${hidden}/stats`],
        ['POST', `/v1/endpoints/${hidden}/test`],
        ['POST', `/v1/endpoints/${hidden}/recover`],
        ['POST', `/v1/deliveries/${hiddenDelivery}/retry`],
        ['GET', `/v1/deliveries/${hiddenDelivery}/attempts`],
        ['GET', `/v1/events/${hiddenOnly}`],
        ['GET', `/v1/events/${hiddenOnly}/deliveries`],
      ] as const) {
        const scoped = await as(method, path, scopedKey);
        const foreign = await as(method, path, other.apiKey);
        expect([path, scoped.status, scoped.body.code, scoped.body.detail]).toEqual([
          path,
          404,
          'NOT_FOUND',
          foreign.body.detail,
        ]);
        expect(foreign.status).toBe(404);
      }
      expect(fixture.receiver.receipts('/ok?scope-hidden')).toHaveLength(2);
    });

    it('sees its own endpoint, and of a shared event only the delivery to it', async () => {
      expect((await as('GET', `/v1/endpoints/${allowed}/deliveries`, scopedKey)).status).toBe(200);
      expect((await as('GET', `/v1/endpoints/${allowed}/stats`, scopedKey)).status).toBe(200);
      const [own] = (await as('GET', `/v1/endpoints/${allowed}/deliveries`, scopedKey)).body.data;
      const ownAttempts = await as('GET', `/v1/deliveries/${own.id}/attempts`, scopedKey);
      expect(ownAttempts.status).toBe(200);
      expect(ownAttempts.body.data.map((a: ShownAttempt) => a.deliveryId)).toEqual([own.id]);
      expect((await as('GET', `/v1/events/${shared}`, scopedKey)).body.id).toBe(shared);
      const deliveries = (await as('GET', `/v1/events/${shared}/deliveries`, scopedKey)).body.data;
      expect(deliveries.map((d: ShownDelivery) => d.endpointId)).toEqual([allowed]);
      const all = (await as('GET', `/v1/events/${shared}/deliveries`, key)).body.data;
      expect(all.map((d: ShownDelivery) => d.endpointId).sort()).toEqual([allowed, hidden].sort());
    });
  });
});

/** The continuous percentile of sorted values, as PostgreSQL's `percentile_cont` computes it. */
function percentile(sorted: readonly number[], fraction: number): number {
  const position = fraction * (sorted.length - 1);
  const below = Math.floor(position);
  const lower = sorted[below];
  const upper = sorted[Math.min(below + 1, sorted.length - 1)];
  return lower + (upper - lower) * (position - below);
}
