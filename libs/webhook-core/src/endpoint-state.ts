/**
 * The endpoint state machine and health reducer (PRODUCT.md, "Delivery" → "State machine").
 *
 * `transition` is pure and total: it never throws, never reads a clock, and takes thresholds from the
 * caller. Decisions the brief leaves open, fixed here:
 *
 * - Outcomes are always recorded in health and `lastStatus`, whatever the status (a paused or
 *   suspended endpoint only sees manual replays or stray in-flight attempts). Status changes only as
 *   the rules below say.
 * - Nothing but `reactivate` moves an endpoint out of `suspended`, and nothing but `reactivate` moves
 *   `paused` back to `active`. A suspended endpoint keeps its reason and `suspendedAt` until then.
 * - The penalty box exists only while `active`: pausing or suspending clears it.
 * - A 410 suspends from `active` and from `paused` (manual or automatic).
 * - A pause for failures (`consecutive_failures` or `failure_duration`) escalates to `suspended` once
 *   the streak has lasted `suspendAfterMs`; a manual pause never escalates.
 * - When a failure meets several rules at once the harshest wins: suspension by duration, then pause
 *   by count (`consecutive_failures`), then pause by duration (`failure_duration`).
 * - An event that changes nothing returns the very same state object.
 */

/** Whether deliveries flow to an endpoint. */
export type EndpointStatus = 'active' | 'paused' | 'suspended';

/** Why an endpoint is not active (`null` while active). */
export type StatusReason = 'manual' | 'consecutive_failures' | 'failure_duration' | 'gone';

/** Delivery health, reset on reactivation. */
export interface EndpointHealth {
  /** Mean response time in ms over the `sampleCount` responses since the last reset, rounded. */
  readonly avgResponseTime: number;
  /** Response time of the last attempt that reported one, in ms; `null` before any. */
  readonly lastResponseTime: number | null;
  readonly consecutiveFailures: number;
  readonly errorsSinceLastSuccess: number;
  readonly lastSuccessAt: Date | null;
  /** First failure of the current unbroken failing streak; `null` when not failing. */
  readonly failingSince: Date | null;
  /** Responses averaged into `avgResponseTime` since the last reset. */
  readonly sampleCount: number;
}

/** Health of an endpoint that has had no attempts since it was created or reactivated. */
export const EMPTY_HEALTH: EndpointHealth = Object.freeze({
  avgResponseTime: 0,
  lastResponseTime: null,
  consecutiveFailures: 0,
  errorsSinceLastSuccess: 0,
  lastSuccessAt: null,
  failingSince: null,
  sampleCount: 0,
});

/** A fresh copy of {@link EMPTY_HEALTH}. */
export function emptyHealth(): EndpointHealth {
  return { ...EMPTY_HEALTH };
}

/** The outcome of the last attempt; `code` is `null` for a network error or time-out. */
export interface LastStatus {
  readonly code: number | null;
  readonly message: string;
  readonly timestamp: Date;
}

/** Deliveries are held until `until`; then one probe is sent. `level` counts cool-downs: 1, 2, ... */
export interface PenaltyBox {
  readonly until: Date;
  readonly level: number;
}

/** Everything the state machine knows about one endpoint. */
export interface EndpointState {
  readonly status: EndpointStatus;
  readonly statusReason: StatusReason | null;
  readonly health: EndpointHealth;
  readonly lastStatus: LastStatus | null;
  /** Set only while `active`. */
  readonly penaltyBox: PenaltyBox | null;
  /** When the endpoint was last paused; kept if it is later suspended, cleared on reactivation. */
  readonly pausedAt: Date | null;
  readonly suspendedAt: Date | null;
}

/** A new endpoint: active, empty health. */
export function initialEndpointState(): EndpointState {
  return {
    status: 'active',
    statusReason: null,
    health: emptyHealth(),
    lastStatus: null,
    penaltyBox: null,
    pausedAt: null,
    suspendedAt: null,
  };
}

/**
 * When the state machine acts. Counts compare with `>=`; set a threshold to `Infinity` to switch its
 * rule off.
 */
export interface StateThresholds {
  /** Consecutive failures that put an active endpoint in the penalty box (default 5). */
  readonly penaltyAfter: number;
  /** Consecutive failures that pause it (default 20). */
  readonly pauseAfter: number;
  /** Length of an unbroken failing streak that pauses it, in ms (default 24 h). */
  readonly pauseAfterMs: number;
  /** Length of an unbroken failing streak that suspends it, in ms (default 5 days). */
  readonly suspendAfterMs: number;
  /** First penalty cool-down in ms (default 30 s); doubles with each failed probe. */
  readonly penaltyBaseMs: number;
  /** Longest penalty cool-down in ms (default 1 h). */
  readonly penaltyMaxMs: number;
}

const HOUR_MS = 3_600_000;

/** The product defaults. */
export const DEFAULT_THRESHOLDS: StateThresholds = Object.freeze({
  penaltyAfter: 5,
  pauseAfter: 20,
  pauseAfterMs: 24 * HOUR_MS,
  suspendAfterMs: 5 * 24 * HOUR_MS,
  penaltyBaseMs: 30_000,
  penaltyMaxMs: HOUR_MS,
});

/** Something that happened to an endpoint. Test sends are never fed in: they do not touch state. */
export type EndpointEvent =
  | {
      readonly type: 'attempt_succeeded';
      readonly at: Date;
      readonly statusCode: number;
      readonly responseTimeMs: number;
    }
  | {
      readonly type: 'attempt_failed';
      readonly at: Date;
      /** `null` for a network error or time-out. */
      readonly statusCode: number | null;
      readonly responseTimeMs: number | null;
      readonly message: string;
    }
  /** A 410 Gone response. */
  | { readonly type: 'gone'; readonly at: Date; readonly responseTimeMs: number | null }
  | { readonly type: 'manual_pause'; readonly at: Date }
  | { readonly type: 'reactivate'; readonly at: Date }
  /** A clock tick, so duration rules fire for an endpoint that failed and then saw no attempts. */
  | { readonly type: 'time_passed'; readonly at: Date }
  /** An operator lets an endpoint out of the penalty box without waiting for a probe. */
  | { readonly type: 'penalty_released'; readonly at: Date }
  /** An operator asks for the probe now rather than at the end of the cool-down. */
  | { readonly type: 'probe_now'; readonly at: Date };

/** Folds a response time (ignored unless a finite number >= 0) into health. */
function recordResponseTime(health: EndpointHealth, responseTimeMs: number | null): EndpointHealth {
  if (responseTimeMs === null || !Number.isFinite(responseTimeMs) || responseTimeMs < 0) {
    return health;
  }
  const sample = Math.round(responseTimeMs);
  const sampleCount = health.sampleCount + 1;
  const avgResponseTime = Math.round(
    health.avgResponseTime + (sample - health.avgResponseTime) / sampleCount,
  );
  return { ...health, lastResponseTime: sample, avgResponseTime, sampleCount };
}

function recordFailure(
  state: EndpointState,
  at: Date,
  code: number | null,
  message: string,
  responseTimeMs: number | null,
): EndpointState {
  const health = recordResponseTime(state.health, responseTimeMs);
  return {
    ...state,
    health: {
      ...health,
      consecutiveFailures: health.consecutiveFailures + 1,
      errorsSinceLastSuccess: health.errorsSinceLastSuccess + 1,
      failingSince: health.failingSince ?? at,
    },
    lastStatus: { code, message, timestamp: at },
  };
}

/** Cool-down for a penalty level: base * 2^(level-1), capped. */
function penaltyCooldownMs(level: number, thresholds: StateThresholds): number {
  return Math.min(thresholds.penaltyBaseMs * 2 ** (level - 1), thresholds.penaltyMaxMs);
}

function failingForMs(state: EndpointState, at: Date): number {
  const since = state.health.failingSince;
  return since === null ? Number.NaN : at.getTime() - since.getTime();
}

function pause(state: EndpointState, reason: StatusReason, at: Date): EndpointState {
  return { ...state, status: 'paused', statusReason: reason, pausedAt: at, penaltyBox: null };
}

function suspend(state: EndpointState, reason: StatusReason, at: Date): EndpointState {
  return { ...state, status: 'suspended', statusReason: reason, suspendedAt: at, penaltyBox: null };
}

function isPausedForFailures(state: EndpointState): boolean {
  return (
    state.status === 'paused' &&
    (state.statusReason === 'consecutive_failures' || state.statusReason === 'failure_duration')
  );
}

/**
 * The status rules for a failing streak, applied after its bookkeeping: suspension and pause by
 * duration, pause by count, and the penalty box. Returns `state` itself when no rule fires.
 */
function applyFailureRules(
  state: EndpointState,
  at: Date,
  thresholds: StateThresholds,
  countsAttempt: boolean,
): EndpointState {
  const failingMs = failingForMs(state, at);
  if (state.status === 'active' || isPausedForFailures(state)) {
    if (failingMs >= thresholds.suspendAfterMs) {
      return suspend(state, 'failure_duration', at);
    }
  }
  if (state.status !== 'active') {
    return state;
  }
  if (state.health.consecutiveFailures >= thresholds.pauseAfter) {
    return pause(state, 'consecutive_failures', at);
  }
  if (failingMs >= thresholds.pauseAfterMs) {
    return pause(state, 'failure_duration', at);
  }
  if (!countsAttempt || state.health.consecutiveFailures < thresholds.penaltyAfter) {
    return state;
  }
  const level = state.penaltyBox === null ? 1 : state.penaltyBox.level + 1;
  const until = new Date(at.getTime() + penaltyCooldownMs(level, thresholds));
  return { ...state, penaltyBox: { until, level } };
}

/**
 * Applies one event. Rules:
 *
 * - `attempt_succeeded`: counters to 0, `failingSince` cleared, `lastSuccessAt` and `lastStatus`
 *   (`'Success'`) set, response time recorded, penalty box released; status unchanged.
 * - `attempt_failed`: both counters +1, `failingSince` set if unset, `lastStatus` set, response time
 *   recorded. If still active: at `penaltyAfter` consecutive failures the endpoint enters the penalty
 *   box for `penaltyBaseMs`, and each further failure raises the level and doubles the cool-down (capped
 *   at `penaltyMaxMs`), counted from the failure; at `pauseAfter` failures, or a streak of
 *   `pauseAfterMs`, it is paused; at a streak of `suspendAfterMs` it is suspended (also from a pause for
 *   failures).
 * - `gone`: failure bookkeeping (`lastStatus` 410 `'Gone'`), then suspended with reason `gone`, unless
 *   already suspended.
 * - `manual_pause`: an active endpoint is paused with reason `manual`; otherwise no change.
 * - `reactivate`: active, health emptied, penalty box released, `pausedAt`/`suspendedAt` cleared;
 *   `lastStatus` kept.
 * - `time_passed`: only the duration rules (pause, suspend) of a failing streak; otherwise no change.
 * - `penalty_released`: the penalty box is cleared and `consecutiveFailures` reset to 0, so the box
 *   is entered again only after `penaltyAfter` new failures. `errorsSinceLastSuccess` and
 *   `failingSince` are kept (there was no success), so the duration rules still count the streak.
 *   Status unchanged; no change outside the box.
 * - `probe_now`: in the penalty box with its cool-down still running, `until` moves to `at` (level
 *   kept), so the next claim sends the probe; otherwise no change.
 */
export function transition(
  state: EndpointState,
  event: EndpointEvent,
  thresholds: StateThresholds,
): EndpointState {
  switch (event.type) {
    case 'attempt_succeeded': {
      const health = recordResponseTime(state.health, event.responseTimeMs);
      return {
        ...state,
        health: {
          ...health,
          consecutiveFailures: 0,
          errorsSinceLastSuccess: 0,
          failingSince: null,
          lastSuccessAt: event.at,
        },
        lastStatus: { code: event.statusCode, message: 'Success', timestamp: event.at },
        penaltyBox: null,
      };
    }
    case 'attempt_failed': {
      const failed = recordFailure(
        state,
        event.at,
        event.statusCode,
        event.message,
        event.responseTimeMs,
      );
      return applyFailureRules(failed, event.at, thresholds, true);
    }
    case 'gone': {
      const failed = recordFailure(state, event.at, 410, 'Gone', event.responseTimeMs);
      return failed.status === 'suspended' ? failed : suspend(failed, 'gone', event.at);
    }
    case 'manual_pause':
      return state.status === 'active' ? pause(state, 'manual', event.at) : state;
    case 'reactivate':
      return {
        ...state,
        status: 'active',
        statusReason: null,
        health: emptyHealth(),
        penaltyBox: null,
        pausedAt: null,
        suspendedAt: null,
      };
    case 'time_passed':
      return applyFailureRules(state, event.at, thresholds, false);
    case 'penalty_released':
      return state.penaltyBox === null
        ? state
        : { ...state, penaltyBox: null, health: { ...state.health, consecutiveFailures: 0 } };
    case 'probe_now':
      return state.penaltyBox === null || state.penaltyBox.until.getTime() <= event.at.getTime()
        ? state
        : { ...state, penaltyBox: { ...state.penaltyBox, until: event.at } };
  }
}

/** Whether deliveries are held by the penalty box at `now`. */
export function isInPenaltyBox(state: EndpointState, now: Date): boolean {
  return state.penaltyBox !== null && now.getTime() < state.penaltyBox.until.getTime();
}

/** What the worker may do for an endpoint at `now`. */
export type DeliveryPermission = 'deliver' | 'hold' | 'probe';

/**
 * `hold` while paused or suspended, or in the penalty box before its cool-down ends; `probe` once the
 * cool-down has ended but the box is still set (the worker sends exactly one delivery, whose outcome
 * releases the box or grows it); `deliver` otherwise.
 */
export function canDeliver(state: EndpointState, now: Date): DeliveryPermission {
  if (state.status !== 'active') {
    return 'hold';
  }
  if (state.penaltyBox === null) {
    return 'deliver';
  }
  return isInPenaltyBox(state, now) ? 'hold' : 'probe';
}

/**
 * A one-line description for logs and operators, e.g. `paused (consecutive_failures) since
 * 2024-05-01T12:00:00.000Z` or `active, penalty box level 2 until 2024-05-01T12:01:00.000Z`.
 */
export function describeStatus(state: EndpointState): string {
  switch (state.status) {
    case 'active':
      return state.penaltyBox === null
        ? 'active'
        : `active, penalty box level ${state.penaltyBox.level} until ${isoOrUnknown(state.penaltyBox.until)}`;
    case 'paused':
      return `paused (${state.statusReason ?? 'unknown'}) since ${isoOrUnknown(state.pausedAt)}`;
    case 'suspended':
      return `suspended (${state.statusReason ?? 'unknown'}) since ${isoOrUnknown(state.suspendedAt)}`;
  }
}

function isoOrUnknown(date: Date | null): string {
  return date === null || Number.isNaN(date.getTime()) ? 'unknown' : date.toISOString();
}
