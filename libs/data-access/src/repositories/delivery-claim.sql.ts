/**
 * The delivery claim's SQL, in named parts (see `DeliveryQueueRepository.claimDue`). Its parameters
 * are one object, `ClaimParameters`, whose fields `CLAIM_POSITIONS` maps to `$n` in one place.
 */

/** What the claim query is given. */
export interface ClaimParameters {
  /** The uuid written to `claim_id` of every row claimed. */
  readonly claimId: string;
  /** The most rows the claim takes. */
  readonly limit: number;
  /** The lease, in milliseconds: `claim_expires_at` is now plus this. */
  readonly leaseMs: number;
  /** Endpoints this worker already sends its full room to (`char(24)[]`): none of theirs is taken. */
  readonly fullEndpointIds: readonly string[];
  /** How many rows each look-ahead (`candidates`, `heads`) reads before the room is applied. */
  readonly lookAhead: number;
  /** The endpoints this worker sends to now (`char(24)[]`), paired by index with `busyCounts`. */
  readonly busyEndpointIds: readonly string[];
  /** How many requests this worker has open to each of `busyEndpointIds` (`int[]`). */
  readonly busyCounts: readonly number[];
  /** The most rows of one (non-probe, non-FIFO) endpoint in flight at this worker. */
  readonly perEndpoint: number;
}

/** The position (`$n`) of each claim parameter: the one place names meet numbers. */
const CLAIM_POSITIONS = {
  claimId: 1,
  limit: 2,
  leaseMs: 3,
  fullEndpointIds: 4,
  lookAhead: 5,
  busyEndpointIds: 6,
  busyCounts: 7,
  perEndpoint: 8,
} as const satisfies Record<keyof ClaimParameters, number>;

/** `$n` of a claim parameter, for the SQL text. */
function claimParam(name: keyof ClaimParameters): string {
  return `$${CLAIM_POSITIONS[name]}`;
}

/** The claim's parameters as the positional array the driver takes, in `CLAIM_POSITIONS` order. */
export function claimValues(parameters: ClaimParameters): unknown[] {
  return (Object.keys(CLAIM_POSITIONS) as (keyof ClaimParameters)[])
    .sort((a, b) => CLAIM_POSITIONS[a] - CLAIM_POSITIONS[b])
    .map((name) => parameters[name]);
}

/** An endpoint that may be sent to now: active, and outside any penalty-box cool-down. */
const ENDPOINT_SENDABLE = `e.status = 'active'
             AND (e.penalty_until IS NULL OR e.penalty_until <= now())`;

/**
 * `candidates`: the look-ahead of due, unclaimed (or lease-expired) deliveries of sendable endpoints
 * without ordering, oldest due first; endpoints without room (`fullEndpointIds`) are left out here,
 * so one endpoint's backlog cannot fill the look-ahead.
 */
const CANDIDATES_CTE = `candidates AS (
           SELECT d.id, d.endpoint_id, d.next_attempt_at, e.penalty_level, false AS fifo FROM deliveries d
           JOIN endpoints e ON e.organization_id = d.organization_id AND e.id = d.endpoint_id
           WHERE d.status = 'pending'
             AND d.next_attempt_at <= now()
             AND (d.claim_expires_at IS NULL OR d.claim_expires_at < now())
             AND ${ENDPOINT_SENDABLE}
             AND e.ordering <> 'fifo'
             AND NOT (d.endpoint_id = ANY(${claimParam('fullEndpointIds')}::char(24)[]))
           ORDER BY d.next_attempt_at
           LIMIT ${claimParam('lookAhead')}
         )`;

/**
 * `heads`: per sendable FIFO endpoint, the head of its queue (its pending delivery with the smallest
 * id, from `deliveries_endpoint_pending_idx`), only if the head is due and unclaimed and no pending
 * delivery of the endpoint is claimed by any worker.
 */
const HEADS_CTE = `heads AS (
           SELECT head.id, e.id AS endpoint_id, head.next_attempt_at, e.penalty_level, true AS fifo
           FROM endpoints e
           CROSS JOIN LATERAL (
             SELECT h.id, h.next_attempt_at, h.claim_expires_at FROM deliveries h
             WHERE h.organization_id = e.organization_id AND h.endpoint_id = e.id AND h.status = 'pending'
             ORDER BY h.id
             LIMIT 1
           ) head
           WHERE e.ordering = 'fifo'
             AND ${ENDPOINT_SENDABLE}
             AND NOT (e.id = ANY(${claimParam('fullEndpointIds')}::char(24)[]))
             AND head.next_attempt_at <= now()
             AND (head.claim_expires_at IS NULL OR head.claim_expires_at < now())
             AND NOT EXISTS (
               SELECT 1 FROM deliveries held
               WHERE held.organization_id = e.organization_id AND held.endpoint_id = e.id
                 AND held.status = 'pending'
                 AND held.claim_id IS NOT NULL AND held.claim_expires_at >= now())
           ORDER BY head.next_attempt_at
           LIMIT ${claimParam('lookAhead')}
         )`;

/**
 * `ranked`: candidates and heads together, each numbered within its endpoint (oldest due first),
 * beside what this worker already sends to that endpoint (`busyEndpointIds` / `busyCounts`).
 */
const RANKED_CTE = `ranked AS (
           SELECT c.id, c.next_attempt_at, c.penalty_level, c.fifo, coalesce(b.busy, 0) AS busy,
             row_number() OVER (PARTITION BY c.endpoint_id ORDER BY c.next_attempt_at, c.id) AS n
           FROM (SELECT * FROM candidates UNION ALL SELECT * FROM heads) c
           LEFT JOIN unnest(${claimParam('busyEndpointIds')}::char(24)[], ${claimParam('busyCounts')}::int[]) AS b(endpoint_id, busy) ON b.endpoint_id = c.endpoint_id
         )`;

/**
 * `picked`: what fits each endpoint's room, oldest due first, up to `limit`: one probe or FIFO head
 * while nothing else is in flight to it, else up to `perEndpoint` minus what is busy.
 */
const PICKED_CTE = `picked AS (
           SELECT id, penalty_level, fifo FROM ranked
           WHERE CASE WHEN penalty_level > 0 OR fifo THEN busy = 0 AND n = 1 ELSE n + busy <= ${claimParam('perEndpoint')} END
           ORDER BY next_attempt_at
           LIMIT ${claimParam('limit')}
         )`;

/**
 * `due`: the picked rows locked `FOR UPDATE ... SKIP LOCKED` and checked again under the lock: still
 * pending and unclaimed, and a FIFO head still the head.
 */
const DUE_CTE = `due AS (
           SELECT d.id, picked.penalty_level, picked.fifo FROM deliveries d
           JOIN picked ON picked.id = d.id
           WHERE d.status = 'pending' AND (d.claim_expires_at IS NULL OR d.claim_expires_at < now())
             AND (NOT picked.fifo OR NOT EXISTS (
               SELECT 1 FROM deliveries earlier
               WHERE earlier.organization_id = d.organization_id AND earlier.endpoint_id = d.endpoint_id
                 AND earlier.status = 'pending' AND earlier.id < d.id))
           FOR UPDATE OF d SKIP LOCKED
         )`;

/**
 * The claim itself: writes `claimId` and the lease (`leaseMs`) on the locked rows and returns each
 * with its event and its endpoint's version. Every join names the organization as well as the id.
 */
const CLAIM_UPDATE = `UPDATE deliveries SET claim_id = ${claimParam('claimId')}, claim_expires_at = now() + make_interval(secs => ${claimParam('leaseMs')}::double precision / 1000)
         FROM due, events ev, endpoints ep
         WHERE deliveries.id = due.id
           AND ev.organization_id = deliveries.organization_id AND ev.id = deliveries.event_id
           AND ep.organization_id = deliveries.organization_id AND ep.id = deliveries.endpoint_id
         RETURNING deliveries.id, deliveries.organization_id, deliveries.event_id, deliveries.endpoint_id,
           deliveries.attempt_count, deliveries.next_trigger, due.penalty_level > 0 AS probe, due.fifo,
           ep.updated_at::text AS endpoint_version, ev.topic, ev.data, ev.previous_data,
           ev.created_at AS event_created_at`;

/** The whole claim statement. */
export const CLAIM_SQL = `WITH ${[CANDIDATES_CTE, HEADS_CTE, RANKED_CTE, PICKED_CTE, DUE_CTE].join(', ')}
         ${CLAIM_UPDATE}`;

/** One row the claim returns: the delivery, its endpoint's state and its event. */
export interface ClaimedRow {
  id: string;
  organization_id: string;
  event_id: string;
  endpoint_id: string;
  attempt_count: number;
  next_trigger: 'scheduled' | 'manual';
  probe: boolean;
  fifo: boolean;
  endpoint_version: string;
  topic: string;
  data: unknown;
  previous_data: unknown;
  event_created_at: Date;
}
