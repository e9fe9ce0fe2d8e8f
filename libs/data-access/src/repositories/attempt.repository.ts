import { type EntityManager } from 'typeorm';
import { AttemptEntity } from '../entities/attempt.entity';
import { newestFirst, type NewestFirstQuery, ofEndpoint } from './newest-first';

/** An attempt row before it is written; the repository sets the organization. */
export type NewAttempt = Omit<AttemptEntity, 'organizationId'>;

/** The buckets {@link AttemptRepository.statsByEndpoint} counts: from `from` through `to`, `bucketSeconds` wide. */
export interface AttemptStatsQuery {
  /** The start of the first bucket. */
  readonly from: Date;
  /** The start of the last bucket. */
  readonly to: Date;
  readonly bucketSeconds: number;
}

/** The attempts of one bucket; the times are null when it has none. */
export interface AttemptBucket {
  readonly start: Date;
  readonly attempts: number;
  readonly successes: number;
  readonly failures: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly avgMs: number | null;
}

/** The attempt log: one row per HTTP try. Every method takes the organization first. */
export class AttemptRepository {
  constructor(private readonly manager: EntityManager) {}

  /** The endpoint's attempts, newest first: one page plus one row. */
  pageByEndpoint(
    organizationId: string,
    endpointId: string,
    page: NewestFirstQuery,
  ): Promise<AttemptEntity[]> {
    const query = ofEndpoint(this.manager, AttemptEntity, organizationId, endpointId);
    return newestFirst(query, page).getMany();
  }

  /**
   * The delivery's attempts, newest first: one page plus one row. Reads `attempts_delivery_idx`; a
   * delivery has few attempts, so they are sorted after the lookup.
   */
  pageByDelivery(
    organizationId: string,
    deliveryId: string,
    page: NewestFirstQuery,
  ): Promise<AttemptEntity[]> {
    const query = this.manager
      .createQueryBuilder(AttemptEntity, 'row')
      .where('row.organization_id = :organizationId AND row.delivery_id = :deliveryId', {
        organizationId,
        deliveryId,
      });
    return newestFirst(query, page).getMany();
  }

  /**
   * The endpoint's attempts counted per bucket, every bucket from `from` through `to` present (empty
   * ones with zero attempts), oldest first, in one query over a range of
   * `attempts_endpoint_newest_idx`. A success is an attempt without an error class (a 2xx answer).
   * Test sends are left out: like health, the statistics are about deliveries.
   */
  async statsByEndpoint(
    organizationId: string,
    endpointId: string,
    { from, to, bucketSeconds }: AttemptStatsQuery,
  ): Promise<AttemptBucket[]> {
    return this.manager.query<AttemptBucket[]>(
      `WITH buckets AS (
         SELECT generate_series($3::timestamptz, $4::timestamptz, make_interval(secs => $5)) AS start
       ), counted AS (
         SELECT date_bin(make_interval(secs => $5), a.created_at, $3::timestamptz) AS start,
                count(*) AS attempts,
                count(*) FILTER (WHERE a.error_class IS NULL) AS successes,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY a.duration_ms) AS p50,
                percentile_cont(0.95) WITHIN GROUP (ORDER BY a.duration_ms) AS p95,
                avg(a.duration_ms) AS avg
         FROM attempts a
         WHERE a.organization_id = $1 AND a.endpoint_id = $2 AND a.trigger <> 'test'
           AND a.created_at >= $3::timestamptz
           AND a.created_at < $4::timestamptz + make_interval(secs => $5)
         GROUP BY 1
       )
       SELECT b.start,
              coalesce(c.attempts, 0)::int AS attempts,
              coalesce(c.successes, 0)::int AS successes,
              coalesce(c.attempts - c.successes, 0)::int AS failures,
              round(c.p50)::int AS "p50Ms",
              round(c.p95)::int AS "p95Ms",
              round(c.avg)::int AS "avgMs"
       FROM buckets b LEFT JOIN counted c ON c.start = b.start
       ORDER BY b.start`,
      [organizationId, endpointId, from, to, bucketSeconds],
    );
  }

  async insert(organizationId: string, attempt: NewAttempt): Promise<void> {
    await this.manager.insert(AttemptEntity, { ...attempt, organizationId });
  }
}
