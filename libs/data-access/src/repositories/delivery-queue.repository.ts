import { type EntityManager, In } from 'typeorm';
import { type EndpointState } from '@hookyard/webhook-core';
import { AttemptEntity } from '../entities/attempt.entity';
import { EndpointEntity } from '../entities/endpoint.entity';
import { type EndpointSecretEntity } from '../entities/endpoint-secret.entity';
import { OrganizationEntity } from '../entities/organization.entity';
import { endpointStateColumns } from '../endpoint-state.mapper';
import { type NewAttempt } from './attempt.repository';
import { CLAIM_SQL, type ClaimedRow, claimValues } from './delivery-claim.sql';
import { returned } from './returned';

/** A delivery a worker has claimed, with what it needs to send it. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly organizationId: string;
  readonly eventId: string;
  readonly endpointId: string;
  readonly attemptCount: number;
  readonly trigger: 'scheduled' | 'manual';
  /** The endpoint is in the penalty box and its cool-down has ended: this is a probe. */
  readonly probe: boolean;
  /** The endpoint's `ordering` is `fifo`: nothing else of it may be in flight. */
  readonly fifo: boolean;
  /** The endpoint's `updated_at` as text: a worker's cached copy of it is current while this matches. */
  readonly endpointVersion: string;
  /** What the send needs of the event, read by the claim itself. */
  readonly event: {
    readonly topic: string;
    readonly data: unknown;
    readonly previousData: unknown;
    readonly createdAt: Date;
  };
}

/** One claimed row, named by the claim that holds it. */
export interface ClaimedRef {
  readonly claimId: string;
  readonly id: string;
}

/** The outcome of one try, for {@link DeliveryQueueRepository.finishMany}. */
export interface DeliveryOutcome extends ClaimedRef {
  readonly status: 'pending' | 'succeeded' | 'failed';
  readonly attemptCount: number;
  readonly nextAttemptAt: Date | null;
  readonly at: Date;
}

/** How much of each endpoint one claim may take (see {@link DeliveryQueueRepository.claimDue}). */
export interface ClaimRoom {
  /** At most this many rows of one endpoint in flight at this worker; default: the claim's limit. */
  readonly perEndpoint?: number;
  /** What this worker sends to each endpoint now, by endpoint id. */
  readonly busy?: ReadonlyMap<string, number>;
}

/** The endpoint columns a send reads, and the encrypted credential of its outbound authentication. */
export type DeliveryTargetEndpoint = Pick<
  EndpointEntity,
  | 'id'
  | 'organizationId'
  | 'dialect'
  | 'url'
  | 'timeoutMs'
  | 'headers'
  | 'authType'
  | 'authUsername'
  | 'authHeaderName'
  | 'authSecretEnc'
  | 'includePreviousData'
>;

/** What a worker needs to send to an endpoint: its request settings and its secrets, encrypted. */
export interface DeliveryTargetRow {
  readonly endpoint: DeliveryTargetEndpoint;
  /** The endpoint's `updated_at` as text, the version a worker's cache keys it by. */
  readonly version: string;
  readonly secrets: readonly Pick<
    EndpointSecretEntity,
    'id' | 'organizationId' | 'secretEnc' | 'createdAt' | 'expiresAt'
  >[];
  /** The organization's own outbound allowance (`organizations.outbound_allow`). */
  readonly outboundAllow: readonly string[];
}

/** An endpoint's state after a batch of tries, for {@link DeliveryQueueRepository.writeEndpointStates}. */
export interface EndpointStateWrite {
  readonly id: string;
  readonly state: EndpointState;
}

/** What the delivery worker reads of an organization: its own retry schedule and thresholds. */
export type OrganizationDeliveryRow = Pick<
  OrganizationEntity,
  'id' | 'retryScheduleSeconds' | 'thresholds'
>;

/** An attempt row as the worker records it: each names its own organization. */
export type RecordedAttempt = NewAttempt & { readonly organizationId: string };

interface TargetRow {
  id: string;
  organization_id: string;
  dialect: EndpointEntity['dialect'];
  url: string;
  timeout_ms: number;
  headers: Record<string, string>;
  auth_type: EndpointEntity['authType'];
  auth_username: string | null;
  auth_header_name: string | null;
  auth_secret_enc: string | null;
  include_previous_data: boolean;
  version: string;
  secrets: { id: string; secretEnc: string; createdAt: string; expiresAt: string | null }[];
  outbound_allow: string[];
}

/**
 * The delivery worker's queue, and every other read and write the worker makes. Cross-tenant by
 * contract: one worker serves every organization, so no method here takes an organization id; each
 * is scoped instead by a claim (`claim_id`), by ids a claim returned, or by rows the worker has
 * locked, and every join names the organization as well as the id, as the composite foreign keys do.
 * Nothing outside the worker (`libs/delivery`) should use it; the API's tenant-first methods live in
 * the other repositories.
 *
 * Claims are leases: `claim_id` names the batch that holds a row and `claim_expires_at` ends the
 * lease unless a heartbeat renews it. A worker whose lease ran out can neither renew nor finish the
 * row once another has claimed it.
 */
export class DeliveryQueueRepository {
  constructor(private readonly manager: EntityManager) {}

  /**
   * Claims up to `limit` due deliveries of active endpoints outside the penalty-box cool-down, oldest
   * due first, taking no more of one endpoint than it has room for: `perEndpoint` minus what this
   * worker already sends to it (`busy`), and a single probe for an endpoint whose cool-down has ended
   * (`probe`), only while nothing else is in flight to it. Endpoints without room are left out before
   * the look-ahead, so one endpoint's backlog cannot fill every batch. Rows are locked with
   * `SKIP LOCKED` and checked again under the lock.
   *
   * A `fifo` endpoint (`fifo`) is sent one delivery at a time, in id order (ids are made at ingest, so
   * in publish order). Its rows are kept out of the look-ahead; instead `heads` takes, per active FIFO
   * endpoint, the head of its queue (the pending delivery with the smallest id, from
   * `deliveries_endpoint_pending_idx`), and only if that head is due and unclaimed and no other
   * pending delivery of the endpoint is claimed by any worker; like a probe, only while this worker
   * sends nothing to it. A head waiting for its retry is not due, so nothing of the endpoint is: later
   * deliveries wait until the head has succeeded or been given up. Held, paused and recovered rows stay
   * pending (or become so again) under their ids, so they keep their place. Under the lock the row must
   * still be the head. The "no other claimed" check reads the endpoint's pending rows, but only when
   * its head could be sent.
   */
  async claimDue(
    claimId: string,
    limit: number,
    leaseMs: number,
    room: ClaimRoom = {},
  ): Promise<ClaimedDelivery[]> {
    const perEndpoint = room.perEndpoint ?? limit;
    const busy = [...(room.busy ?? new Map<string, number>())];
    const rows = returned<ClaimedRow>(
      await this.manager.query(
        CLAIM_SQL,
        claimValues({
          claimId,
          limit,
          leaseMs,
          fullEndpointIds: busy
            .filter(([, n]) => n >= perEndpoint)
            .map(([endpointId]) => endpointId),
          lookAhead: Math.max(100, limit * 10),
          busyEndpointIds: busy.map(([endpointId]) => endpointId),
          busyCounts: busy.map(([, n]) => n),
          perEndpoint,
        }),
      ),
    );
    return rows.map((row) => ({
      id: row.id,
      organizationId: row.organization_id,
      eventId: row.event_id,
      endpointId: row.endpoint_id,
      attemptCount: row.attempt_count,
      trigger: row.next_trigger,
      probe: row.probe,
      fifo: row.fifo,
      endpointVersion: row.endpoint_version,
      event: {
        topic: row.topic,
        data: row.data,
        previousData: row.previous_data,
        createdAt: row.event_created_at,
      },
    }));
  }

  /**
   * Gives rows back to the queue untouched (held, or not started before shutdown). Scoped by the
   * claim, which may hold rows of several organizations.
   */
  async release(claimId: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.manager.query(
      // $1: the claim; $2: the delivery ids it gives back.
      `UPDATE deliveries SET claim_id = NULL, claim_expires_at = NULL WHERE claim_id = $1 AND id = ANY($2::char(24)[])`,
      [claimId, ids],
    );
  }

  /**
   * Extends the lease of every row in `held`, whatever claim holds it, in one statement; returns how
   * many are still held. Scoped by each row's claim.
   */
  async renewMany(held: readonly ClaimedRef[], leaseMs: number): Promise<number> {
    if (held.length === 0) return 0;
    const rows = returned<{ id: string }>(
      await this.manager.query(
        // $1, $2: the held rows' ids and claims, paired by index; $3: the lease in milliseconds.
        `UPDATE deliveries d SET claim_expires_at = now() + make_interval(secs => $3::double precision / 1000)
         FROM unnest($1::char(24)[], $2::uuid[]) AS h(id, claim_id)
         WHERE d.id = h.id AND d.claim_id = h.claim_id AND d.status = 'pending'
         RETURNING d.id`,
        [held.map((r) => r.id), held.map((r) => r.claimId), leaseMs],
      ),
    );
    return rows.length;
  }

  /** Gives every row in `held` back to the queue untouched, in one statement (see `release`). */
  async releaseMany(held: readonly ClaimedRef[]): Promise<void> {
    if (held.length === 0) return;
    await this.manager.query(
      // $1, $2: the held rows' ids and claims, paired by index.
      `UPDATE deliveries d SET claim_id = NULL, claim_expires_at = NULL
       FROM unnest($1::char(24)[], $2::uuid[]) AS h(id, claim_id)
       WHERE d.id = h.id AND d.claim_id = h.claim_id`,
      [held.map((r) => r.id), held.map((r) => r.claimId)],
    );
  }

  /**
   * Records the outcomes of many tries in one statement, each only if its claim still holds the row
   * (a worker whose lease ran out writes nothing for it); returns the ids it wrote. Inside the
   * recording transaction, this also locks those rows. Scoped by each row's claim.
   */
  async finishMany(outcomes: readonly DeliveryOutcome[]): Promise<Set<string>> {
    if (outcomes.length === 0) return new Set();
    const rows = returned<{ id: string }>(
      await this.manager.query(
        // $1..$6: one array per column of the outcomes, paired by index (the `AS o(...)` list).
        `UPDATE deliveries d SET status = o.status, attempt_count = o.attempt_count,
           next_attempt_at = o.next_attempt_at, last_attempt_at = o.at,
           completed_at = CASE WHEN o.status = 'pending' THEN NULL ELSE o.at END,
           claim_id = NULL, claim_expires_at = NULL, next_trigger = 'scheduled'
         FROM unnest($1::char(24)[], $2::uuid[], $3::text[], $4::int[], $5::timestamptz[], $6::timestamptz[])
           AS o(id, claim_id, status, attempt_count, next_attempt_at, at)
         WHERE d.id = o.id AND d.claim_id = o.claim_id AND d.status = 'pending'
         RETURNING d.id`,
        [
          outcomes.map((o) => o.id),
          outcomes.map((o) => o.claimId),
          outcomes.map((o) => o.status),
          outcomes.map((o) => o.attemptCount),
          outcomes.map((o) => o.nextAttemptAt),
          outcomes.map((o) => o.at),
        ],
      ),
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Inserts the attempts of a recorded batch in one statement; each row names its own organization,
   * as a batch holds tries of several.
   */
  async insertAttempts(attempts: readonly RecordedAttempt[]): Promise<void> {
    if (attempts.length === 0) return;
    await this.manager.insert(AttemptEntity, [...attempts]);
  }

  /** The delivery targets of `ids` (endpoints of a claimed batch) with their secrets, in one query. */
  async deliveryTargets(ids: readonly string[]): Promise<DeliveryTargetRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.manager.query<TargetRow[]>(
      // $1: the endpoint ids.
      `SELECT e.id, e.organization_id, e.dialect, e.url, e.timeout_ms, e.headers, e.auth_type,
         e.auth_username, e.auth_header_name, e.auth_secret_enc, e.include_previous_data,
         e.updated_at::text AS version,
         coalesce((SELECT json_agg(json_build_object('id', s.id, 'secretEnc', s.secret_enc,
             'createdAt', s.created_at, 'expiresAt', s.expires_at) ORDER BY s.created_at DESC, s.id DESC)
           FROM endpoint_secrets s WHERE s.organization_id = e.organization_id AND s.endpoint_id = e.id),
           '[]'::json) AS secrets,
         o.outbound_allow
       FROM endpoints e JOIN organizations o ON o.id = e.organization_id
       WHERE e.id = ANY($1::char(24)[])`,
      [ids],
    );
    return rows.map((row) => ({
      endpoint: {
        id: row.id,
        organizationId: row.organization_id,
        dialect: row.dialect,
        url: row.url,
        timeoutMs: row.timeout_ms,
        headers: row.headers,
        authType: row.auth_type,
        authUsername: row.auth_username,
        authHeaderName: row.auth_header_name,
        authSecretEnc: row.auth_secret_enc,
        includePreviousData: row.include_previous_data,
      },
      version: row.version,
      secrets: row.secrets.map((secret) => ({
        id: secret.id,
        organizationId: row.organization_id,
        secretEnc: secret.secretEnc,
        createdAt: new Date(secret.createdAt),
        expiresAt: secret.expiresAt === null ? null : new Date(secret.expiresAt),
      })),
      outboundAllow: row.outbound_allow,
    }));
  }

  /** The delivery settings of the organizations `ids` (those of a recorded batch), in one query. */
  deliverySettings(ids: readonly string[]): Promise<OrganizationDeliveryRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.manager.find(OrganizationEntity, {
      select: { id: true, retryScheduleSeconds: true, thresholds: true },
      where: { id: In([...ids]) },
    });
  }

  /**
   * Locks the endpoint rows of `ids` in id order with `FOR NO KEY UPDATE` (the manager must be
   * transactional), so workers recording tries never deadlock on each other, and ingest's foreign-key
   * locks (`KEY SHARE`) never wait on them.
   */
  lockEndpointsForRecording(ids: readonly string[]): Promise<EndpointEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.manager
      .createQueryBuilder(EndpointEntity, 'e')
      .setLock('for_no_key_update')
      .where('e.id IN (:...ids)', { ids: [...ids] })
      .orderBy('e.id')
      .getMany();
  }

  /**
   * Writes the state of several endpoints in one statement, under the locks of
   * `lockEndpointsForRecording`.
   */
  async writeEndpointStates(writes: readonly EndpointStateWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const columns = writes.map((w) => endpointStateColumns(w.state));
    const pick = <T>(get: (c: Partial<EndpointEntity>) => T) => columns.map(get);
    await this.manager.query(
      // $1..$17: one array per column, paired by index, in the order of the `AS w(...)` list.
      `UPDATE endpoints e SET status = w.status, status_reason = w.status_reason,
         avg_response_time = w.avg_response_time, last_response_time = w.last_response_time,
         consecutive_failures = w.consecutive_failures,
         errors_since_last_success = w.errors_since_last_success, last_success_at = w.last_success_at,
         failing_since = w.failing_since, sample_count = w.sample_count,
         last_status_code = w.last_status_code, last_status_message = w.last_status_message,
         last_status_at = w.last_status_at, penalty_until = w.penalty_until,
         penalty_level = w.penalty_level, paused_at = w.paused_at, suspended_at = w.suspended_at
       FROM unnest($1::char(24)[], $2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::int[],
         $8::timestamptz[], $9::timestamptz[], $10::int[], $11::int[], $12::text[], $13::timestamptz[],
         $14::timestamptz[], $15::int[], $16::timestamptz[], $17::timestamptz[])
         AS w(id, status, status_reason, avg_response_time, last_response_time, consecutive_failures,
           errors_since_last_success, last_success_at, failing_since, sample_count, last_status_code,
           last_status_message, last_status_at, penalty_until, penalty_level, paused_at, suspended_at)
       WHERE e.id = w.id`,
      [
        writes.map((w) => w.id),
        pick((c) => c.status),
        pick((c) => c.statusReason),
        pick((c) => c.avgResponseTime),
        pick((c) => c.lastResponseTime),
        pick((c) => c.consecutiveFailures),
        pick((c) => c.errorsSinceLastSuccess),
        pick((c) => c.lastSuccessAt),
        pick((c) => c.failingSince),
        pick((c) => c.sampleCount),
        pick((c) => c.lastStatusCode),
        pick((c) => c.lastStatusMessage),
        pick((c) => c.lastStatusAt),
        pick((c) => c.penaltyUntil),
        pick((c) => c.penaltyLevel),
        pick((c) => c.pausedAt),
        pick((c) => c.suspendedAt),
      ],
    );
  }
}
