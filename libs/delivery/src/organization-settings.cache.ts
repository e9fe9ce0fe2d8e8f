import { type DataSource } from 'typeorm';
import { DeliveryQueueRepository } from '@hookyard/data-access';
import {
  type OrganizationDeliverySettings,
  organizationDeliverySettings,
} from './organization-settings';

/** Where the recorder reads the settings of the organizations of a batch. */
export interface OrganizationSettingsSource {
  /** The settings of each of `ids` (an unknown organization gets the installation's). */
  settingsOf(ids: readonly string[]): Promise<ReadonlyMap<string, OrganizationDeliverySettings>>;
}

interface Cached {
  readonly loadedAt: number;
  readonly settings: OrganizationDeliverySettings;
}

/** Past this many organizations the cache starts afresh, so a worker serving many tenants stays bounded. */
const MAX_ORGANIZATIONS = 20_000;

/**
 * A worker's copy of each organization's retry schedule and thresholds, merged over the
 * installation's, kept for `ttlMs` (5 s): a change made through the API applies within that time, and
 * a batch of tries reads the organizations it misses with one query, never one per delivery.
 */
export class OrganizationSettingsCache implements OrganizationSettingsSource {
  private readonly entries = new Map<string, Cached>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly installation: OrganizationDeliverySettings,
    private readonly ttlMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  async settingsOf(
    ids: readonly string[],
  ): Promise<ReadonlyMap<string, OrganizationDeliverySettings>> {
    const now = this.now();
    const stale = [...new Set(ids)].filter((id) => {
      const entry = this.entries.get(id);
      return !entry || now - entry.loadedAt >= this.ttlMs;
    });
    if (stale.length > 0) {
      if (this.entries.size + stale.length > MAX_ORGANIZATIONS) this.entries.clear();
      const rows = new Map(
        (await new DeliveryQueueRepository(this.dataSource.manager).deliverySettings(stale)).map(
          (row) => [row.id, row],
        ),
      );
      for (const id of stale) {
        const settings = organizationDeliverySettings(this.installation, rows.get(id) ?? null);
        this.entries.set(id, { loadedAt: now, settings });
      }
    }
    const found = new Map<string, OrganizationDeliverySettings>();
    for (const id of ids) found.set(id, this.entries.get(id)?.settings ?? this.installation);
    return found;
  }
}
