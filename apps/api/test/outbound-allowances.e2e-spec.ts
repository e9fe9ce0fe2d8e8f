import { ApiKeyService } from '@hookyard/api';
import {
  DELIVERY_ENV,
  endpointBody,
  eventually,
  startTestApp,
  type TestApp,
  type TestResponse,
} from './harness';
import { Receiver } from './receiver';

/*
 * Per-organization outbound allowances: with the global allow-list empty, an operator lets one
 * organization reach a loopback receiver; every other organization is still refused, at write time
 * and at connect time. A test send to an address reached through an allowance shows status and
 * timing only, and a refusal names the rule, never the address.
 */

describe('outbound allowances per organization', () => {
  let t: TestApp;
  let receiver: Receiver;
  let operatorKey: string;
  let a: { organizationId: string; apiKey: string };
  let b: { organizationId: string; apiKey: string };

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp({ ...DELIVERY_ENV, HOOKYARD_OUTBOUND_ALLOW: '' }, { worker: true });
    operatorKey = (await t.app.get(ApiKeyService).create(null, 'operator', ['*'], new Date())).key;
    a = await t.createOrganization('tenant-a');
    b = await t.createOrganization('tenant-b');
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  const asOperator = (organizationId: string, body: unknown): Promise<TestResponse> =>
    t.request('PATCH', '/v1/organization', {
      headers: {
        authorization: `Bearer ${operatorKey}`,
        'x-hookyard-organization': organizationId,
      },
      body,
    });
  const createEndpoint = (apiKey: string, url: string, topics = ['post.created']) =>
    t.request('POST', '/v1/endpoints', { key: apiKey, body: endpointBody({ url, topics }) });
  const attemptsOf = async (apiKey: string, id: string): Promise<Record<string, unknown>[]> =>
    (await t.request('GET', `/v1/endpoints/${id}/attempts`, { key: apiKey })).body.data;

  it('X5 refuses the field to a tenant key, even with ORGANIZATION.MANAGE, and changes nothing', async () => {
    const refused = await t.request('PATCH', '/v1/organization', {
      key: a.apiKey,
      body: { outboundAllow: ['127.0.0.1'], portalAllowedOrigins: ['https://app.example.com'] },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('OPERATOR_ONLY');
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'outboundAllow' })]);
    const shown = await t.request('GET', '/v1/organization', { key: a.apiKey });
    expect(shown.body).toMatchObject({ outboundAllow: [], portalAllowedOrigins: [] });
    expect((await createEndpoint(a.apiKey, receiver.url('/ok?x5-early'))).status).toBe(400);
  });

  it('X5 lets an operator set it, checks each entry, and shows it on GET', async () => {
    const invalid = await asOperator(a.organizationId, {
      outboundAllow: ['127.0.0.1', '0.0.0.0/0'],
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { path: string }) => e.path)).toEqual(['outboundAllow[1]']);
    const set = await asOperator(a.organizationId, { outboundAllow: ['127.0.0.1'] });
    expect(set.status).toBe(200);
    expect(set.body.outboundAllow).toEqual(['127.0.0.1']);
    expect((await t.request('GET', '/v1/organization', { key: a.apiKey })).body).toMatchObject({
      outboundAllow: ['127.0.0.1'],
    });
    expect((await t.request('GET', '/v1/organization', { key: b.apiKey })).body).toMatchObject({
      outboundAllow: [],
    });
  });

  describe('with organization A allowed 127.0.0.1 and the global allow-list empty', () => {
    let endpointA: string;
    let endpointB: string;

    beforeAll(async () => {
      expect((await asOperator(a.organizationId, { outboundAllow: ['127.0.0.1'] })).status).toBe(
        200,
      );
      const madeA = await createEndpoint(a.apiKey, receiver.url('/ok?x5-a'));
      expect(madeA.status).toBe(201);
      endpointA = madeA.body.id;
      const madeB = await createEndpoint(b.apiKey, 'https://example.com/x5-b');
      expect(madeB.status).toBe(201);
      endpointB = madeB.body.id;
    });

    it('X5 creates and updates A’s endpoint on the loopback receiver, and refuses B (400 TARGET_NOT_ALLOWED)', async () => {
      const created = await createEndpoint(b.apiKey, receiver.url('/ok?x5-b'));
      expect(created.status).toBe(400);
      expect(created.body).toMatchObject({ code: 'TARGET_NOT_ALLOWED' });
      expect(created.body.errors[0]).toMatchObject({ path: 'url', code: 'TARGET_NOT_ALLOWED' });
      expect(created.body.detail ?? created.body.message).not.toContain('127.0.0.1');
      const updated = await t.request('PATCH', `/v1/endpoints/${endpointB}`, {
        key: b.apiKey,
        body: { url: receiver.url('/ok?x5-b') },
      });
      expect(updated.status).toBe(400);
      expect(updated.body.code).toBe('TARGET_NOT_ALLOWED');
    });

    it('X5 delivers A’s event to the loopback receiver and refuses B’s at connect time', async () => {
      // B's row is pointed at the receiver past the API, as a stale row would be.
      await t.dataSource.query(`UPDATE endpoints SET url = $1 WHERE id = $2`, [
        receiver.url('/ok?x5-b-stale'),
        endpointB,
      ]);
      for (const apiKey of [a.apiKey, b.apiKey]) {
        const event = await t.request('POST', '/v1/events', {
          key: apiKey,
          body: { topic: 'post.created', data: { x5: true } },
        });
        expect(event.status).toBe(202);
      }
      await receiver.waitFor((ledger) => ledger.some((r) => r.path === '/ok?x5-a'));
      await eventually(async () => {
        const [first] = await attemptsOf(b.apiKey, endpointB);
        expect(first).toMatchObject({ errorClass: 'ssrf_blocked', statusCode: null });
        expect(first.errorMessage).toBe('the destination address is not allowed: loopback');
      });
      expect(receiver.receipts('/ok?x5-b-stale')).toEqual([]);
    });

    it('X5 answers a test send to A’s allowed loopback receiver with status and timing only', async () => {
      const response = await t.request('POST', `/v1/endpoints/${endpointA}/test`, {
        key: a.apiKey,
        body: {},
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        success: true,
        status: 200,
        durationMs: expect.any(Number),
      });
      const [attempt] = await attemptsOf(a.apiKey, endpointA);
      expect(attempt).toMatchObject({ trigger: 'test', statusCode: 200, responseExcerpt: null });
      expect(receiver.receipts('/ok?x5-a').length).toBeGreaterThanOrEqual(2);
    });

    it('X5 refuses B’s test send naming the rule, never the address the name resolved to', async () => {
      await t.dataSource.query(`UPDATE endpoints SET url = $1 WHERE id = $2`, [
        receiver.url('/ok?x5-b-name').replace('127.0.0.1', 'localhost'),
        endpointB,
      ]);
      const response = await t.request('POST', `/v1/endpoints/${endpointB}/test`, {
        key: b.apiKey,
        body: {},
      });
      expect(response.body).toMatchObject({ success: false, error: { class: 'ssrf_blocked' } });
      const text = JSON.stringify([response.body, await attemptsOf(b.apiKey, endpointB)]);
      expect(text).toContain('not allowed: loopback');
      for (const address of ['127.0.0.1', '::1']) expect(text).not.toContain(address);
      expect(receiver.receipts('/ok?x5-b-name')).toEqual([]);
    });

    it('X5 stops A’s deliveries once the operator withdraws the allowance', async () => {
      expect((await asOperator(a.organizationId, { outboundAllow: [] })).status).toBe(200);
      const before = receiver.receipts('/ok?x5-a').length;
      const event = await t.request('POST', '/v1/events', {
        key: a.apiKey,
        body: { topic: 'post.created', data: { withdrawn: true } },
      });
      expect(event.status).toBe(202);
      await eventually(async () => {
        const deliveries = (
          await t.request('GET', `/v1/endpoints/${endpointA}/deliveries`, { key: a.apiKey })
        ).body.data as { eventId: string; id: string }[];
        const delivery = deliveries.find((d) => d.eventId === event.body.id);
        expect(delivery).toBeDefined();
        const attempts = await attemptsOf(a.apiKey, endpointA);
        expect(attempts.some((x) => x.deliveryId === delivery?.id)).toBe(true);
        expect(attempts.find((x) => x.deliveryId === delivery?.id)).toMatchObject({
          errorClass: 'ssrf_blocked',
        });
      });
      expect(receiver.receipts('/ok?x5-a')).toHaveLength(before);
    });
  });
});
