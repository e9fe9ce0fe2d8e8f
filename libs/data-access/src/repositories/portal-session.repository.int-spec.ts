import { type DataSource } from 'typeorm';
import { PortalSessionEntity } from '../entities/portal-session.entity';
import {
  insertEndpoint,
  insertOrganization,
  openTestDatabase,
  testIds,
} from '../testing/tenant-rows';
import { EndpointRepository } from './endpoint.repository';
import { PortalSessionRepository } from './portal-session.repository';

describe('PortalSessionRepository', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let sessions: PortalSessionRepository;

  beforeAll(async () => {
    ({ dataSource, close } = await openTestDatabase());
    sessions = new PortalSessionRepository(dataSource.manager);
  });
  afterAll(() => close?.());

  const session = (organizationId: string, overrides: Partial<PortalSessionEntity> = {}) =>
    Object.assign(new PortalSessionEntity(), {
      id: testIds.next(new Date()),
      organizationId,
      tokenHash: testIds.next(new Date()),
      permissions: ['WEBHOOK.READ'],
      endpointIds: null,
      topicCeilings: null,
      theme: {},
      refreshUrl: null,
      createdByKeyId: null,
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 3600_000),
      revokedAt: null,
      ...overrides,
    });

  it('stores a session and finds it by its token hash and by id', async () => {
    const org = await insertOrganization(dataSource);
    const endpoint = await insertEndpoint(dataSource, org);
    const stored = session(org, {
      endpointIds: [endpoint],
      theme: { accentColor: '#112233', mode: 'dark' },
      refreshUrl: 'https://app.example.com/renew',
    });
    await sessions.insert(stored);
    expect(await sessions.findByTokenHash(stored.tokenHash)).toEqual(stored);
    expect(await sessions.findById(org, stored.id)).toEqual(stored);
    expect(await sessions.findAnyById(stored.id)).toEqual(stored);
    expect(await sessions.findByTokenHash('unknown')).toBeNull();
  });

  it("does not return or revoke another tenant's session", async () => {
    const a = await insertOrganization(dataSource, 'a');
    const b = await insertOrganization(dataSource, 'b');
    const ofA = session(a);
    await sessions.insert(ofA);
    expect(await sessions.findById(b, ofA.id)).toBeNull();
    expect(await sessions.revoke(b, ofA.id, new Date())).toBe(false);
    expect((await sessions.findById(a, ofA.id))?.revokedAt).toBeNull();
    const at = new Date();
    expect(await sessions.revoke(a, ofA.id, at)).toBe(true);
    expect((await sessions.findById(a, ofA.id))?.revokedAt).toEqual(at);
    expect(await sessions.revoke(a, ofA.id, new Date())).toBe(false);
  });

  it('X2 keeps the topic ceilings an endpoint-scoped session was minted with', async () => {
    const org = await insertOrganization(dataSource);
    const endpointId = await insertEndpoint(dataSource, org);
    const topicCeilings = {
      [endpointId]: { topics: ['post.*'], excludedTopics: ['post.deleted'] },
    };
    const stored = session(org, { endpointIds: [endpointId], topicCeilings });
    await sessions.insert(stored);
    expect((await sessions.findById(org, stored.id))?.topicCeilings).toEqual(topicCeilings);
  });

  it("lists the organization's live sessions newest first, never another tenant's, a revoked or an expired one", async () => {
    const a = await insertOrganization(dataSource, 'a');
    const b = await insertOrganization(dataSource, 'b');
    const now = new Date();
    const older = session(a, { createdAt: new Date(now.getTime() - 2000) });
    const newer = session(a, { createdAt: new Date(now.getTime() - 1000) });
    const revoked = session(a, { revokedAt: now });
    const expired = session(a, { expiresAt: now });
    const ofB = session(b);
    for (const s of [older, newer, revoked, expired, ofB]) await sessions.insert(s);
    const ids = (rows: PortalSessionEntity[]) => rows.map((row) => row.id);
    expect(ids(await sessions.pageLive(a, now, { limit: 10 }))).toEqual([newer.id, older.id]);
    expect(ids(await sessions.pageLive(a, now, { limit: 1 }))).toEqual([newer.id, older.id]);
    expect(ids(await sessions.pageLive(a, now, { limit: 10, after: newer }))).toEqual([older.id]);
    expect(ids(await sessions.pageLive(b, now, { limit: 10 }))).toEqual([ofB.id]);
  });

  it('revokes the sessions one key made, and only those', async () => {
    const org = await insertOrganization(dataSource);
    const [key, otherKey] = [testIds.next(new Date()), testIds.next(new Date())];
    const made = [session(org, { createdByKeyId: key }), session(org, { createdByKeyId: key })];
    const other = session(org, { createdByKeyId: otherKey });
    for (const s of [...made, other]) await sessions.insert(s);
    const at = new Date();
    expect(await sessions.revokeCreatedBy(key, at)).toBe(2);
    for (const s of made) expect((await sessions.findById(org, s.id))?.revokedAt).toEqual(at);
    expect((await sessions.findById(org, other.id))?.revokedAt).toBeNull();
    expect(await sessions.revokeCreatedBy(key, new Date())).toBe(0);
  });

  it('goes with its organization', async () => {
    const org = await insertOrganization(dataSource);
    const stored = session(org);
    await sessions.insert(stored);
    await dataSource.query('DELETE FROM organizations WHERE id = $1', [org]);
    expect(await sessions.findAnyById(stored.id)).toBeNull();
  });
});

describe('EndpointRepository within a portal session’s endpoints', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let endpoints: EndpointRepository;

  beforeAll(async () => {
    ({ dataSource, close } = await openTestDatabase());
    endpoints = new EndpointRepository(dataSource.manager);
  });
  afterAll(() => close?.());

  it('pages through the listed endpoints only, after the cursor', async () => {
    const org = await insertOrganization(dataSource);
    const [first, second, third] = [
      await insertEndpoint(dataSource, org),
      await insertEndpoint(dataSource, org),
      await insertEndpoint(dataSource, org),
    ];
    const ids = (rows: { id: string }[]) => rows.map((row) => row.id);
    expect(ids(await endpoints.page(org, { limit: 10, ids: [first, third] }))).toEqual([
      first,
      third,
    ]);
    expect(
      ids(await endpoints.page(org, { limit: 10, ids: [first, third], cursor: first })),
    ).toEqual([third]);
    expect(ids(await endpoints.page(org, { limit: 10, ids: [] }))).toEqual([]);
    expect(ids(await endpoints.page(org, { limit: 10 }))).toEqual([first, second, third]);
  });

  it("finds which ids are the organization's endpoints, never another tenant's", async () => {
    const a = await insertOrganization(dataSource, 'a');
    const b = await insertOrganization(dataSource, 'b');
    const ofA = await insertEndpoint(dataSource, a);
    const ofB = await insertEndpoint(dataSource, b);
    const idsOf = async (ids: readonly string[]) =>
      (await endpoints.subscriptions(a, ids)).map((row) => row.id);
    expect(await idsOf([ofA, ofB, 'ffffffffffffffffffffffff'])).toEqual([ofA]);
    expect(await idsOf([])).toEqual([]);
  });

  it("X2 reads the subscriptions of the organization's endpoints, never another tenant's", async () => {
    const a = await insertOrganization(dataSource, 'a');
    const b = await insertOrganization(dataSource, 'b');
    const ofA = await insertEndpoint(dataSource, a);
    const ofB = await insertEndpoint(dataSource, b);
    expect(await endpoints.subscriptions(a, [ofA, ofB])).toEqual([
      { id: ofA, topics: ['post.created'], excludedTopics: [] },
    ]);
    expect(await endpoints.subscriptions(a, [])).toEqual([]);
  });
});
