import { endpointBody, type TestApp, useDeliveryApp } from './harness';
import { type Receipt, type Receiver } from './receiver';

/*
 * A test send is signed like a real delivery. Without EVENT.PUBLISH it keeps the test topic and the
 * product's own payload, and every test send carries `X-Hookyard-Test: true`, which no real delivery
 * carries and no custom header can set or hide: a receiver can tell a test from an event.
 */

const PLATFORM = '/platform/v1/webhooks';
const MARKER = 'x-hookyard-test';

describe('test sends', () => {
  const fixture = useDeliveryApp();
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  /** A key with WEBHOOK.UPDATE and WEBHOOK.READ only: no EVENT.PUBLISH. */
  let updater: string;
  beforeAll(async () => {
    ({ t, receiver, key } = fixture);
    const issued = await t.request('POST', '/v1/api-keys', {
      key,
      body: { name: 'updater', permissions: ['WEBHOOK.UPDATE', 'WEBHOOK.READ'] },
    });
    expect(issued.status).toBe(201);
    updater = issued.body.key as string;
  });

  const testSend = (id: string, body: Record<string, unknown>, apiKey = updater) =>
    t.request('POST', `/v1/endpoints/${id}/test`, { key: apiKey, body });
  const published = (path: string): Promise<Receipt> =>
    receiver
      .waitFor((ledger) => ledger.some((r) => r.path === path))
      .then(() => receiver.receipts(path)[0]);

  it('X4 refuses another topic or custom data without EVENT.PUBLISH (403 naming the field), sending nothing', async () => {
    const path = '/ok?x4-forged';
    const target = await fixture.endpoint(path, { topics: ['post.created'] });
    const cases: [Record<string, unknown>, string[]][] = [
      [{ topic: 'post.created' }, ['topic']],
      [{ data: { id: 'p_1', title: 'forged' } }, ['data']],
      [{ topic: 'post.created', data: { id: 'p_1' } }, ['topic', 'data']],
      [{ topic: 'webhook.test', data: { message: 'mine' } }, ['data']],
    ];
    for (const [body, fields] of cases) {
      const response = await testSend(target.id, body);
      expect({ body, status: response.status, code: response.body.code }).toEqual({
        body,
        status: 403,
        code: 'TEST_SEND_NOT_ALLOWED',
      });
      expect(response.body.errors.map((e: { path: string; code: string }) => e)).toEqual(
        fields.map((path) => expect.objectContaining({ path, code: 'TEST_SEND_NOT_ALLOWED' })),
      );
    }
    const attempts = await t.request('GET', `/v1/endpoints/${target.id}/attempts`, { key });
    expect(attempts.body.data).toEqual([]);
    expect(receiver.receipts(path)).toEqual([]);
  });

  it('X4 sends the default test message with the marker header to a caller without EVENT.PUBLISH', async () => {
    const path = '/ok?x4-default';
    const target = await fixture.endpoint(path, { topics: ['post.created'] });
    expect((await testSend(target.id, {})).body).toMatchObject({ success: true, status: 200 });
    expect((await testSend(target.id, { topic: 'webhook.test' })).status).toBe(200);
    const receipts = receiver.receipts(path);
    expect(receipts).toHaveLength(2);
    for (const receipt of receipts) {
      expect(receipt.headers[MARKER]).toBe('true');
      expect(JSON.parse(receipt.body)).toMatchObject({ type: 'webhook.test' });
    }
  });

  it('X4 lets a caller with EVENT.PUBLISH choose the topic and data, still marked as a test', async () => {
    const path = '/ok?x4-chosen';
    const target = await fixture.endpoint(path, { topics: ['post.created'] });
    const response = await testSend(target.id, { topic: 'post.created', data: { id: 'p_2' } }, key);
    expect(response.body).toMatchObject({ success: true, status: 200 });
    const [receipt] = receiver.receipts(path);
    expect(receipt.headers[MARKER]).toBe('true');
    expect(JSON.parse(receipt.body)).toMatchObject({ type: 'post.created', data: { id: 'p_2' } });
  });

  it('X4 delivers a real published event without the marker, even with a custom header of that name stored', async () => {
    const path = '/ok?x4-real';
    const target = await fixture.endpoint(path, {
      topics: ['comment.created'],
      requestConfig: { headers: { 'X-Team': 'billing' } },
    });
    // Written past the API, as a row stored before the name was reserved would be.
    await t.dataSource.query(`UPDATE endpoints SET headers = $1 WHERE id = $2`, [
      { 'X-Team': 'billing', 'X-Hookyard-Test': 'true' },
      target.id,
    ]);
    const event = await t.request('POST', '/v1/events', {
      key,
      body: { topic: 'comment.created', data: { id: 'c_1' } },
    });
    expect(event.status).toBe(202);
    const receipt = await published(path);
    expect(receipt.webhookId).toBe(event.body.id);
    expect(receipt.headers['x-team']).toBe('billing');
    expect(receipt.headers[MARKER]).toBeUndefined();
  });

  it('X4 refuses the marker as a custom header or an API-key header name', async () => {
    const custom = await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({
        url: receiver.url('/ok?x4-spoof'),
        requestConfig: { headers: { 'X-Hookyard-Test': 'false' } },
      }),
    });
    expect(custom.status).toBe(400);
    expect(custom.body.errors[0]).toMatchObject({
      path: 'requestConfig.headers.X-Hookyard-Test',
      code: 'HEADER_RESERVED',
    });
    const auth = await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({
        url: receiver.url('/ok?x4-spoof'),
        authentication: { type: 'api_key', headerName: 'X-Hookyard-Test', apiKey: 'abcdef123' },
      }),
    });
    expect(auth.status).toBe(400);
  });

  describe('in the platform dialect', () => {
    const create = async (path: string) => {
      const created = await t.request('POST', PLATFORM, {
        key,
        body: {
          url: receiver.url(path),
          name: 'x4',
          reference: 'x4',
          included_actions: ['POST.*'],
        },
      });
      expect(created.status).toBe(201);
      return created.body.id as string;
    };

    it('X4 marks send-test and test-connection, and not a real event', async () => {
      const path = '/ok?x4-platform';
      const id = await create(path);
      const tested = await t.request('POST', `${PLATFORM}/${id}/send-test`, { key: updater });
      expect(tested.body).toMatchObject({ successful: true });
      const connection = await t.request('POST', `${PLATFORM}/test-connection`, {
        key,
        body: { url: receiver.url(`${path}-connection`), name: 'x4', reference: 'x4c' },
      });
      expect(connection.body).toMatchObject({ successful: true });
      expect(receiver.receipts(path)).toHaveLength(1);
      expect(receiver.receipts(path)[0].headers[MARKER]).toBe('true');
      expect(receiver.receipts(`${path}-connection`)[0].headers[MARKER]).toBe('true');

      const event = await t.request('POST', '/v1/events', {
        key,
        body: { topic: 'post.created', data: { id: 'p_3' } },
      });
      expect(event.status).toBe(202);
      await receiver.waitFor(() => receiver.receipts(path).length === 2);
      const real = receiver.receipts(path).find((r) => r.webhookId === event.body.id);
      expect(real?.headers[MARKER]).toBeUndefined();
    });
  });
});
