import {
  DELIVERY_ENV,
  endpointBody,
  eventually,
  sleepUntil,
  startTestApp,
  type TestApp,
} from './harness';
import { Receiver } from './receiver';
import { type BuiltApi, startBuiltApi, stopChild } from './worker-process';

const OPERATOR_KEY = 'hk_acceptance-operator-key-0123456789';
const COUNT = 50;
const uidOf = (n: number) => `cus-${String(n).padStart(3, '0')}`;

interface Organization {
  readonly id: string;
  readonly uid: string;
  readonly name: string;
}

/**
 * The tenancy control plane as a SaaS drives it, through HTTP only: the first operator key comes
 * from `HOOKYARD_BOOTSTRAP_OPERATOR_KEY`; every other step is a request to the API (this process,
 * with a worker, or a second built API process on the same database).
 */
describe('tenants through the API (black box)', () => {
  let t: TestApp;
  let receiver: Receiver;
  let other: BuiltApi;
  let otherBase: string;
  const firstPass = new Map<string, Organization>();

  const call = async (
    method: string,
    path: string,
    options: { key?: string; body?: unknown; as?: string; base?: string } = {},
  ) => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.key ?? OPERATOR_KEY}`,
    };
    if (options.as !== undefined) headers['x-hookyard-organization'] = options.as;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${options.base ?? t.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  const upsertAll = async () => {
    const answers = [];
    for (let n = 1; n <= COUNT; n += 1) {
      const uid = uidOf(n);
      answers.push(
        await call('PUT', `/v1/organizations/${uid}`, { body: { name: `Customer ${n}` } }),
      );
    }
    return answers;
  };

  beforeAll(async () => {
    receiver = await new Receiver().start();
    const env = { ...DELIVERY_ENV, HOOKYARD_BOOTSTRAP_OPERATOR_KEY: OPERATOR_KEY };
    t = await startTestApp(env, { worker: true });
    other = await startBuiltApi(t, env);
    otherBase = other.base;
  }, 60_000);

  afterAll(async () => {
    if (other) await stopChild(other.child);
    await t?.close();
    await receiver?.stop();
  });

  it('upserts 50 organizations by uid; a second pass changes nothing and answers the same ids', async () => {
    const first = await upsertAll();
    expect(first.map((a) => a.status)).toEqual(first.map(() => 201));
    for (const { body } of first) firstPass.set(body.uid, body);
    expect(new Set(first.map((a) => a.body.id)).size).toBe(COUNT);
    const second = await upsertAll();
    expect(second.map((a) => a.status)).toEqual(second.map(() => 200));
    expect(second.map((a) => a.body)).toEqual(first.map((a) => a.body));
  });

  it('mints a key for one organization, and publishes for another by uid', async () => {
    const minted = await call('POST', `/v1/organizations/${uidOf(1)}/api-keys`, {
      body: { name: 'customer 1 backend', permissions: ['*'] },
    });
    expect(minted.status).toBe(201);
    const key: string = minted.body.key;
    const own = await call('POST', '/v1/endpoints', {
      key,
      body: endpointBody({ url: receiver.url('/ok?one'), topics: ['post.created'] }),
    });
    expect(own.status).toBe(201);
    expect((await call('GET', '/v1/whoami', { key })).body.organizationId).toBe(
      firstPass.get(uidOf(1))?.id,
    );

    const made = await call('POST', '/v1/endpoints', {
      as: uidOf(2),
      body: endpointBody({ url: receiver.url('/ok?two'), topics: ['post.created'] }),
    });
    expect(made.status).toBe(201);
    const published = await call('POST', '/v1/events', {
      as: uidOf(2),
      body: { topic: 'post.created', data: { n: 2 } },
    });
    expect(published.status).toBe(202);
    await receiver.waitFor(() => receiver.receipts('/ok?two').length === 1);
    expect(JSON.parse(receiver.receipts('/ok?two')[0].body)).toMatchObject({ data: { n: 2 } });
    // The first organization's endpoint was not the second's to reach.
    expect(receiver.receipts('/ok?one')).toHaveLength(0);
  });

  it('lists them across pages, ascending by id, each once', async () => {
    const seen: Organization[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '' : `&cursor=${cursor}`;
      const page = await call('GET', `/v1/organizations?limit=7${query}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.data);
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(Math.ceil(COUNT / 7));
    expect(seen.map((o) => o.uid)).toEqual([...firstPass.keys()]);
    const ids = seen.map((o) => o.id);
    expect(ids).toEqual([...ids].sort());
    const byUid = await call('GET', `/v1/organizations?uid=${uidOf(9)}`);
    expect(byUid.body.data).toEqual([firstPass.get(uidOf(9))]);
  });

  it('renames one', async () => {
    const renamed = await call('PATCH', `/v1/organizations/${uidOf(3)}`, {
      body: { name: 'Customer three' },
    });
    expect(renamed.status).toBe(200);
    expect((await call('GET', `/v1/organizations/${firstPass.get(uidOf(3))?.id}`)).body).toEqual({
      ...firstPass.get(uidOf(3)),
      name: 'Customer three',
    });
  });

  it('deletes one: its key 401 in both processes within 5 s, its endpoint gets nothing new, the others unchanged', async () => {
    const uid = uidOf(4);
    const minted = await call('POST', `/v1/organizations/${uid}/api-keys`, {
      body: { name: 'doomed', permissions: ['*'] },
    });
    const key: string = minted.body.key;
    // An endpoint that fails, so a retry is due when the organization goes.
    const failing = receiver.url(`/status/500?${uid}`);
    expect(
      (
        await call('POST', '/v1/endpoints', {
          key,
          body: endpointBody({ url: failing, topics: ['post.created'] }),
        })
      ).status,
    ).toBe(201);
    expect(
      (await call('POST', '/v1/events', { key, body: { topic: 'post.created', data: { n: 4 } } }))
        .status,
    ).toBe(202);
    await receiver.waitFor(() => receiver.receipts(`/status/500?${uid}`).length === 1);
    // The second process has the key in its cache.
    expect((await call('GET', '/v1/endpoints', { key, base: otherBase })).status).toBe(200);

    const deleted = await call('DELETE', `/v1/organizations/${uid}`);
    expect(deleted.status).toBe(204);
    const deletedAt = Date.now();
    expect((await call('GET', '/v1/endpoints', { key })).status).toBe(401);
    await eventually(
      async () =>
        expect((await call('GET', '/v1/endpoints', { key, base: otherBase })).status).toBe(401),
      5_000,
    );
    expect(Date.now() - deletedAt).toBeLessThanOrEqual(5_500);
    for (const base of [t.baseUrl, otherBase]) {
      expect((await call('GET', `/v1/organizations/${uid}`, { base })).status).toBe(404);
      expect(
        (
          await call('POST', '/v1/events', {
            as: uid,
            base,
            body: { topic: 'post.created', data: {} },
          })
        ).status,
      ).toBe(404);
    }
    // The retry was due 1 s after the failure: well past it, nothing more reached the endpoint.
    await sleepUntil(deletedAt + 3_000);
    expect(receiver.receipts(`/status/500?${uid}`)).toHaveLength(1);

    const listed = await call('GET', '/v1/organizations?limit=200');
    const expected = [...firstPass.values()]
      .filter((o) => o.uid !== uid)
      .map((o) => (o.uid === uidOf(3) ? { ...o, name: 'Customer three' } : o));
    expect(listed.body.data).toEqual(expected);
  });

  it('revokes an operator key: 401 at once here and within 5 s in the second API process', async () => {
    const created = await call('POST', '/v1/operator-keys', {
      body: { name: 'ci', permissions: ['ORGANIZATION.ADMIN'] },
    });
    expect(created.status).toBe(201);
    const key: string = created.body.key;
    for (const base of [t.baseUrl, otherBase])
      expect((await call('GET', '/v1/organizations?limit=1', { key, base })).status).toBe(200);
    const listed = await call('GET', '/v1/operator-keys');
    expect(listed.body.data.map((k: { id: string }) => k.id)).toContain(created.body.id);
    expect(JSON.stringify(listed.body)).not.toContain(key);

    expect((await call('DELETE', `/v1/operator-keys/${created.body.id}`)).status).toBe(204);
    const revokedAt = Date.now();
    expect((await call('GET', '/v1/organizations?limit=1', { key })).status).toBe(401);
    await eventually(
      async () =>
        expect(
          (await call('GET', '/v1/organizations?limit=1', { key, base: otherBase })).status,
        ).toBe(401),
      5_000,
    );
    expect(Date.now() - revokedAt).toBeLessThanOrEqual(5_500);
  });
});
