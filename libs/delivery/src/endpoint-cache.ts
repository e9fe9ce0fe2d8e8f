import { type DataSource } from 'typeorm';
import { DeliveryQueueRepository } from '@hookyard/data-access';
import { type DeliverySender, type SendTarget } from './delivery-sender';

/** An endpoint's version (its `updated_at`) and what a send needs of it. */
interface Cached {
  readonly version: string;
  readonly target: SendTarget;
}

/** Past this many endpoints the cache starts afresh, so a worker serving many tenants stays bounded. */
const MAX_ENDPOINTS = 20_000;

/**
 * A worker's copy of the endpoints it sends to, with their secrets decrypted, keyed by
 * `(id, updated_at)`: every edit, secret rotation and status change through the API bumps
 * `updated_at`, and each claimed delivery carries the version the claim saw, so a stale copy is never
 * used. The endpoints a batch misses are loaded with one query.
 */
export class EndpointCache {
  private readonly entries = new Map<string, Cached>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly sender: DeliverySender,
  ) {}

  /** The targets of `wanted` (endpoint id to the version its claim saw); a deleted endpoint is absent. */
  async targets(wanted: ReadonlyMap<string, string>): Promise<Map<string, SendTarget>> {
    const stale = [...wanted].filter(([id, version]) => this.entries.get(id)?.version !== version);
    if (stale.length > 0) {
      if (this.entries.size + stale.length > MAX_ENDPOINTS) this.entries.clear();
      const rows = await new DeliveryQueueRepository(this.dataSource.manager).deliveryTargets(
        stale.map(([id]) => id),
      );
      for (const row of rows) {
        this.entries.set(row.endpoint.id, {
          version: row.version,
          target: this.sender.target(row.endpoint, row.secrets, row.outboundAllow),
        });
      }
    }
    const found = new Map<string, SendTarget>();
    for (const id of wanted.keys()) {
      const entry = this.entries.get(id);
      if (entry) found.set(id, entry.target);
    }
    return found;
  }

  get size(): number {
    return this.entries.size;
  }
}
