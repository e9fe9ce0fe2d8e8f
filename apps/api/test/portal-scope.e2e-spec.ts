import { DELIVERY_ENV, startTestApp, type TestApp } from './harness';
import { Receiver } from './receiver';

/**
 * An endpoint-scoped portal session acts for the SaaS's customer: it may narrow what its endpoint
 * subscribes to, never widen it beyond what the SaaS gave when minting the session.
 */
describe('X2 an endpoint-scoped portal session cannot widen its subscription', () => {
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  let endpointId: string;

  const mint = async (body: Record<string, unknown>): Promise<string> => {
    const minted = await t.request('POST', '/v1/portal-sessions', { key, body });
    expect(minted.status).toBe(201);
    return minted.body.token as string;
  };
  const patch = (token: string, body: Record<string, unknown>) =>
    t.request('PATCH', `/v1/endpoints/${endpointId}`, { key: token, body });
  const subscription = async () => {
    const stored = await t.request('GET', `/platform/v1/webhooks/${endpointId}`, { key });
    expect(stored.status).toBe(200);
    const { included_actions, excluded_actions } = stored.body;
    return { included_actions, excluded_actions };
  };
  const publish = async (topic: string) => {
    const published = await t.request('POST', '/v1/events', {
      key,
      body: { topic, data: { topic } },
    });
    expect(published.status).toBe(202);
    return published.body as { id: string; deliveries: number };
  };

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp(DELIVERY_ENV, { worker: true });
    key = (await t.createOrganization()).apiKey;
    // The SaaS shows this customer post events, except deletions.
    const created = await t.request('POST', '/platform/v1/webhooks', {
      key,
      body: {
        url: receiver.url('/ok?customer'),
        name: 'customer',
        reference: 'customer',
        included_actions: ['POST.*'],
        excluded_actions: ['POST.DELETED'],
      },
    });
    expect(created.status).toBe(201);
    endpointId = created.body.id;
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  it('X2 refuses `*` and clearing the exclusions from a scoped session; nothing changes and excluded events are not delivered', async () => {
    const token = await mint({
      permissions: ['WEBHOOK.READ', 'WEBHOOK.UPDATE'],
      endpointIds: [endpointId],
    });
    const before = await subscription();
    expect(before).toEqual({ included_actions: ['POST.*'], excluded_actions: ['POST.DELETED'] });

    const everything = await patch(token, { topics: ['*'] });
    expect(everything.status).toBe(403);
    expect(everything.body).toMatchObject({
      code: 'PORTAL_SCOPE_EXCEEDED',
      errors: [expect.objectContaining({ path: 'topics[0]', code: 'PORTAL_SCOPE_EXCEEDED' })],
    });
    const another = await patch(token, { topics: ['post.created', 'ticket.created'] });
    expect(another.status).toBe(403);
    expect(another.body.errors).toEqual([expect.objectContaining({ path: 'topics[1]' })]);
    // The native API has no field that clears exclusions, and the platform dialect does not take a
    // portal token.
    const cleared = await patch(token, { excludedTopics: [] });
    expect(cleared.status).toBe(400);
    const throughPlatform = await t.request('PATCH', `/platform/v1/webhooks/${endpointId}`, {
      key: token,
      body: { included_actions: [], excluded_actions: [] },
    });
    expect([401, 403]).toContain(throughPlatform.status);
    expect(await subscription()).toEqual(before);

    const excluded = await publish('post.deleted');
    const outside = await publish('ticket.created');
    const shown = await publish('post.created');
    expect([excluded.deliveries, outside.deliveries, shown.deliveries]).toEqual([0, 0, 1]);
    await receiver.waitFor((ledger) => ledger.some((r) => r.webhookId === shown.id));
    expect(receiver.ledger.map((r) => r.webhookId)).not.toEqual(
      expect.arrayContaining([excluded.id]),
    );
    expect(receiver.ledger.map((r) => r.webhookId)).not.toEqual(
      expect.arrayContaining([outside.id]),
    );
  });

  it('X2 lets a scoped session narrow, and widen again up to what it was minted with', async () => {
    const token = await mint({
      permissions: ['WEBHOOK.READ', 'WEBHOOK.UPDATE'],
      endpointIds: [endpointId],
    });
    const narrowed = await patch(token, { topics: ['post.created'] });
    expect(narrowed.status).toBe(200);
    expect(await subscription()).toEqual({
      included_actions: ['POST.CREATED'],
      excluded_actions: ['POST.DELETED'],
    });
    expect((await publish('post.updated')).deliveries).toBe(0);

    const back = await patch(token, { topics: ['post.*'] });
    expect(back.status).toBe(200);
    const beyond = await patch(token, { topics: ['post.*', 'comment.*'] });
    expect(beyond.status).toBe(403);
    expect(beyond.body.errors).toEqual([expect.objectContaining({ path: 'topics[1]' })]);
    expect(await subscription()).toEqual({
      included_actions: ['POST.*'],
      excluded_actions: ['POST.DELETED'],
    });
  });

  it('X2 holds a session minted after a narrowing to that narrower subscription', async () => {
    const first = await mint({ permissions: ['WEBHOOK.UPDATE'], endpointIds: [endpointId] });
    expect((await patch(first, { topics: ['post.created'] })).status).toBe(200);
    const later = await mint({ permissions: ['WEBHOOK.UPDATE'], endpointIds: [endpointId] });
    const wider = await patch(later, { topics: ['post.*'] });
    expect(wider.status).toBe(403);
    expect(wider.body.errors).toEqual([expect.objectContaining({ path: 'topics[0]' })]);
    expect((await patch(first, { topics: ['post.*'] })).status).toBe(200);
  });

  it('X2 leaves a whole-organization session its permissions as granted', async () => {
    const token = await mint({ permissions: ['WEBHOOK.READ', 'WEBHOOK.UPDATE'] });
    const everything = await patch(token, { topics: ['*'] });
    expect(everything.status).toBe(200);
    expect((await subscription()).included_actions).toEqual(['*']);
    expect((await publish('ticket.created')).deliveries).toBe(1);
  });
});
