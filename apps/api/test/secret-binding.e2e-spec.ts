import { endpointBody, eventually, useDeliveryApp } from './harness';

/**
 * Encrypted secrets are bound to their organization, table, column and row: a value copied into
 * another organization's row with SQL (a database write, a restored backup) is refused by the test
 * send and by the worker, never used to sign or authenticate.
 */
describe('secrets bound to their rows', () => {
  const fixture = useDeliveryApp();
  const auth = (apiKey: string) => ({ type: 'api_key', headerName: 'X-Api-Key', apiKey });

  it("X11 refuses another organization's signing secret or password copied into its rows", async () => {
    const { t, receiver, key } = fixture;
    const source = await fixture.endpoint('/ok?x11-source', {
      topics: ['post.created'],
      authentication: auth('SourceKey'),
    });
    const other = (await t.createOrganization()).apiKey;
    const create = async (path: string, apiKey: string) => {
      const created = await t.request('POST', '/v1/endpoints', {
        key: other,
        body: endpointBody({
          url: receiver.url(path),
          topics: ['post.created'],
          authentication: auth(apiKey),
        }),
      });
      expect(created.status).toBe(201);
      return created.body.id as string;
    };
    const signing = await create('/ok?x11-signing', 'SigningKey');
    const password = await create('/ok?x11-password', 'PasswordKey');
    await t.dataSource.query(
      `UPDATE endpoint_secrets SET secret_enc = (SELECT secret_enc FROM endpoint_secrets WHERE endpoint_id = $1)
        WHERE endpoint_id = $2`,
      [source.id, signing],
    );
    await t.dataSource.query(
      `UPDATE endpoints SET auth_secret_enc = (SELECT auth_secret_enc FROM endpoints WHERE id = $1)
        WHERE id = $2`,
      [source.id, password],
    );

    const testSend = (id: string, apiKey: string) =>
      t.request('POST', `/v1/endpoints/${id}/test`, { key: apiKey, body: {} });
    expect((await testSend(source.id, key)).body).toMatchObject({ success: true });
    for (const id of [signing, password]) {
      const tested = await testSend(id, other);
      expect([id, tested.status, tested.body]).toEqual([
        id,
        200,
        expect.objectContaining({
          success: false,
          error: expect.objectContaining({ class: 'internal' }),
        }),
      ]);
    }

    const published = await t.request('POST', '/v1/events', {
      key: other,
      body: { topic: 'post.created', data: { n: 1 } },
    });
    expect(published.body).toMatchObject({ deliveries: 2 });
    await eventually(async () => {
      const tries = await t.dataSource.query<{ endpoint_id: string; error_class: string }[]>(
        `SELECT endpoint_id, error_class FROM attempts WHERE endpoint_id = ANY($1) AND trigger = 'scheduled'`,
        [[signing, password]],
      );
      expect(tries.map((row) => row.endpoint_id).sort()).toEqual(
        expect.arrayContaining([signing, password].sort()),
      );
      expect(new Set(tries.map((row) => row.error_class))).toEqual(new Set(['internal']));
    }, 10_000);
    expect(receiver.receipts('/ok?x11-signing')).toEqual([]);
    expect(receiver.receipts('/ok?x11-password')).toEqual([]);
    expect(receiver.receipts('/ok?x11-source')).toHaveLength(1);
  });
});
