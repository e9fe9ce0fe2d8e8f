import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type OrganizationEntity, OrganizationRepository } from '@hookyard/data-access';
import { isObjectId } from '@hookyard/webhook-core';
import { LookupCache } from '../auth/lookup-cache';

/** How long a resolved organization is trusted; a deletion through this process is seen at once. */
export const ORGANIZATION_CACHE_MS = 5_000;

/**
 * Finds live organizations by id or by `uid` (the operator's own id for a tenant), for the headers
 * that name the organization a request acts for and for the rate limits an organization sets. A
 * lookup is remembered for {@link ORGANIZATION_CACHE_MS}, so naming an organization on every request
 * costs one query per organization every few seconds.
 */
@Injectable()
export class OrganizationDirectory {
  private readonly organizations: OrganizationRepository;
  private readonly cache = new LookupCache<OrganizationEntity | null>(ORGANIZATION_CACHE_MS);

  constructor(@Inject(DataSource) dataSource: DataSource) {
    this.organizations = new OrganizationRepository(dataSource.manager);
  }

  /** The live organization a header value names: a 24-hex id, else a uid; null when none. */
  async resolve(idOrUid: string, now: Date): Promise<OrganizationEntity | null> {
    const byId = isObjectId(idOrUid);
    return this.cache.get(`${byId ? 'id' : 'uid'}:${idOrUid}`, now, () =>
      byId ? this.organizations.findLiveById(idOrUid) : this.organizations.findLiveByUid(idOrUid),
    );
  }

  /** Stops this process using what it remembers of the organization (after a change or deletion). */
  forget(organizationId: string): void {
    this.cache.forget((organization) => organization?.id === organizationId);
  }
}
