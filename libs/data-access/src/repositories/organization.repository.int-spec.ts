import { type DataSource } from 'typeorm';
import { OrganizationEntity } from '../entities/organization.entity';
import { insertOrganization, openTestDatabase, rowsOf, testIds } from '../testing/tenant-rows';
import { OrganizationRepository } from './organization.repository';

describe('OrganizationRepository', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let organizations: OrganizationRepository;

  beforeAll(async () => {
    ({ dataSource, close } = await openTestDatabase());
    organizations = new OrganizationRepository(dataSource.manager);
  });
  afterAll(() => close?.());

  it('inserts an organization and finds it by id', async () => {
    const organization = Object.assign(new OrganizationEntity(), {
      id: testIds.next(new Date()),
      name: 'acme',
      endpointLimit: 5,
      featurebaseVersion: '2025-01-01',
      portalAllowedOrigins: ['https://app.example.com'],
      uid: null,
      rateLimits: null,
      retryScheduleSeconds: null,
      thresholds: null,
      createdAt: new Date(),
      deletedAt: null,
    });
    await organizations.insert(organization);
    expect(await organizations.findById(organization.id)).toEqual(organization);
    expect(await organizations.findById(testIds.next(new Date()))).toBeNull();
  });

  it('replaces the origins that may embed the portal, of that organization only', async () => {
    const a = await insertOrganization(dataSource, 'a');
    const b = await insertOrganization(dataSource, 'b');
    expect((await organizations.findById(a))?.portalAllowedOrigins).toEqual([]);
    expect(await organizations.setPortalAllowedOrigins(a, ['https://x.example.com'])).toBe(true);
    expect((await organizations.findById(a))?.portalAllowedOrigins).toEqual([
      'https://x.example.com',
    ]);
    expect((await organizations.findById(b))?.portalAllowedOrigins).toEqual([]);
    expect(await organizations.setPortalAllowedOrigins(testIds.next(new Date()), [])).toBe(false);
  });

  it("does not return another tenant's organization", async () => {
    const a = await insertOrganization(dataSource, 'a');
    const b = await insertOrganization(dataSource, 'b');
    const before = await rowsOf(dataSource, 'organizations', b);
    expect(await organizations.findById(a)).toMatchObject({ id: a, name: 'a' });
    expect(await rowsOf(dataSource, 'organizations', b)).toEqual(before);
  });
});
