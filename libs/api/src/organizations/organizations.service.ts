import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  ApiKeyRepository,
  OrganizationEntity,
  OrganizationRepository,
} from '@hookyard/data-access';
import { ObjectIdGenerator } from '@hookyard/webhook-core';
import { ApiKeyService, hashApiKey } from '../auth/api-key.service';
import { ALL_PERMISSIONS } from '../auth/permissions';

export const DEFAULT_ORGANIZATION_NAME = 'default';

/** Tenants: made by the CLI, or once at start-up for the bootstrap key. */
@Injectable()
export class OrganizationsService {
  private readonly logger = new Logger('Organizations');

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ApiKeyService) private readonly apiKeys: ApiKeyService,
    @Inject(ObjectIdGenerator) private readonly ids: ObjectIdGenerator,
  ) {}

  /** Makes an organization with one all-permission key; returns the key (shown once). */
  async create(name: string, key?: string): Promise<{ organizationId: string; apiKey: string }> {
    return this.dataSource.transaction(async (manager) => {
      const now = new Date();
      const organization = Object.assign(new OrganizationEntity(), {
        id: this.ids.next(now),
        name,
        endpointLimit: null,
        featurebaseVersion: null,
        createdAt: now,
      });
      await new OrganizationRepository(manager).insert(organization);
      const created = await this.apiKeys.create(
        organization.id,
        `${name} admin`,
        [ALL_PERMISSIONS],
        now,
        new ApiKeyRepository(manager),
        key,
      );
      return { organizationId: organization.id, apiKey: created.key };
    });
  }

  /** Ensures a default organization holds `key`; does nothing when the key already exists. */
  async ensureBootstrapKey(key: string): Promise<void> {
    const existing = await new ApiKeyRepository(this.dataSource.manager).findByHash(
      hashApiKey(key),
    );
    if (existing) return;
    const { organizationId } = await this.create(DEFAULT_ORGANIZATION_NAME, key);
    this.logger.log(`bootstrap organization ${organizationId} created with the configured API key`);
  }
}
