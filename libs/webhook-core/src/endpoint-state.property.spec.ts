import fc from 'fast-check';
import {
  EMPTY_HEALTH,
  type EndpointEvent,
  type EndpointState,
  type StateThresholds,
  initialEndpointState,
  transition,
} from './endpoint-state';

const T0 = Date.UTC(2024, 4, 1);
const HOUR = 3_600_000;

/** Small thresholds so that random sequences reach every rule. */
const thresholdsArb: fc.Arbitrary<StateThresholds> = fc.record({
  penaltyAfter: fc.integer({ min: 1, max: 6 }),
  pauseAfter: fc.integer({ min: 1, max: 12 }),
  pauseAfterMs: fc.integer({ min: 1, max: 48 * HOUR }),
  suspendAfterMs: fc.integer({ min: 1, max: 96 * HOUR }),
  penaltyBaseMs: fc.integer({ min: 0, max: 60_000 }),
  penaltyMaxMs: fc.integer({ min: 0, max: HOUR }),
});

type EventAt = (at: Date) => EndpointEvent;

const responseTimeArb = fc.option(fc.integer({ min: 0, max: 30_000 }), { nil: null });

/** Failures weigh more, so that runs reach the penalty box and the events that act on it. */
const eventArb: fc.Arbitrary<EventAt> = fc.oneof(
  fc
    .record({
      statusCode: fc.integer({ min: 200, max: 299 }),
      responseTimeMs: fc.integer({ min: 0, max: 30_000 }),
    })
    .map(({ statusCode, responseTimeMs }): EventAt => (at) => ({
      type: 'attempt_succeeded',
      at,
      statusCode,
      responseTimeMs,
    })),
  {
    weight: 4,
    arbitrary: fc
      .record({
        statusCode: fc.option(fc.integer({ min: 100, max: 599 }), { nil: null }),
        responseTimeMs: responseTimeArb,
        message: fc.string({ maxLength: 20 }),
      })
      .map(({ statusCode, responseTimeMs, message }): EventAt => (at) => ({
        type: 'attempt_failed',
        at,
        statusCode,
        responseTimeMs,
        message,
      })),
  },
  responseTimeArb.map((responseTimeMs): EventAt => (at) => ({ type: 'gone', at, responseTimeMs })),
  fc.constant<EventAt>((at) => ({ type: 'manual_pause', at })),
  fc.constant<EventAt>((at) => ({ type: 'reactivate', at })),
  fc.constant<EventAt>((at) => ({ type: 'time_passed', at })),
  fc.constant<EventAt>((at) => ({ type: 'penalty_released', at })),
  fc.constant<EventAt>((at) => ({ type: 'probe_now', at })),
);

/** Gaps between events: up to a minute (streaks inside the cool-downs) or up to 30 h. */
const gapArb = fc.oneof(
  fc.integer({ min: 0, max: 60_000 }),
  fc.integer({ min: 0, max: 30 * HOUR }),
);

/** Events with times that never go backwards. */
const eventsArb: fc.Arbitrary<EndpointEvent[]> = fc
  .array(fc.tuple(eventArb, gapArb), { maxLength: 60 })
  .map((steps) => {
    let now = T0;
    return steps.map(([make, gap]) => {
      now += gap;
      return make(new Date(now));
    });
  });

/**
 * Runs the events and checks `check(before, event, after)` at each step. Rare situations (an
 * operator acting on an endpoint in the penalty box) need more runs than fast-check's 100.
 */
function forEachStep(
  check: (before: EndpointState, event: EndpointEvent, after: EndpointState) => void,
  numRuns = 100,
): void {
  fc.assert(
    fc.property(thresholdsArb, eventsArb, (thresholds, events) => {
      let state = initialEndpointState();
      for (const event of events) {
        const next = transition(state, event, thresholds);
        check(state, event, next);
        state = next;
      }
    }),
    { numRuns },
  );
}

describe('endpoint state machine properties', () => {
  it('is total: never throws on any sequence of events', () => {
    fc.assert(
      fc.property(thresholdsArb, eventsArb, (thresholds, events) => {
        expect(() =>
          events.reduce((s, e) => transition(s, e, thresholds), initialEndpointState()),
        ).not.toThrow();
      }),
    );
  });

  it('a success always resets consecutiveFailures and errorsSinceLastSuccess to 0', () => {
    let hits = 0;
    forEachStep((_, event, after) => {
      if (event.type === 'attempt_succeeded') {
        hits++;
        expect(after.health.consecutiveFailures).toBe(0);
        expect(after.health.errorsSinceLastSuccess).toBe(0);
        expect(after.health.failingSince).toBeNull();
        expect(after.penaltyBox).toBeNull();
      }
    });
    expect(hits).toBeGreaterThan(0); // the generated runs reached this case
  });

  it('reactivation always zeroes health and makes the endpoint active', () => {
    let hits = 0;
    forEachStep((_, event, after) => {
      if (event.type === 'reactivate') {
        hits++;
        expect(after.health).toEqual(EMPTY_HEALTH);
        expect(after.status).toBe('active');
        expect(after.penaltyBox).toBeNull();
      }
    });
    expect(hits).toBeGreaterThan(0); // the generated runs reached this case
  });

  it('no event except reactivate moves an endpoint out of suspended', () => {
    let hits = 0;
    forEachStep((before, event, after) => {
      if (before.status === 'suspended' && event.type !== 'reactivate') {
        hits++;
        expect(after.status).toBe('suspended');
        expect(after.statusReason).toBe(before.statusReason);
        expect(after.suspendedAt).toBe(before.suspendedAt);
      }
    });
    expect(hits).toBeGreaterThan(0); // the generated runs reached this case
  });

  it('no event except reactivate moves a paused endpoint back to active', () => {
    let hits = 0;
    forEachStep((before, event, after) => {
      if (before.status === 'paused' && event.type !== 'reactivate') {
        hits++;
        expect(after.status).not.toBe('active');
      }
    });
    expect(hits).toBeGreaterThan(0); // the generated runs reached this case
  });

  it('counters and averages are never negative and a failing streak has a start', () => {
    forEachStep((_, __, after) => {
      const { health } = after;
      expect(health.consecutiveFailures).toBeGreaterThanOrEqual(0);
      expect(health.errorsSinceLastSuccess).toBeGreaterThanOrEqual(health.consecutiveFailures);
      expect(health.sampleCount).toBeGreaterThanOrEqual(0);
      expect(health.avgResponseTime).toBeGreaterThanOrEqual(0);
      expect(health.failingSince === null).toBe(health.errorsSinceLastSuccess === 0);
    });
  });

  it('failures count in lockstep except that a release from the penalty box restarts the count', () => {
    let releases = 0;
    forEachStep((before, event, after) => {
      const gap = (state: EndpointState) =>
        state.health.errorsSinceLastSuccess - state.health.consecutiveFailures;
      if (event.type === 'attempt_succeeded' || event.type === 'reactivate') {
        expect(gap(after)).toBe(0);
      } else if (event.type === 'penalty_released' && before.penaltyBox !== null) {
        releases++;
        expect(after.health.consecutiveFailures).toBe(0);
        expect(after.health.errorsSinceLastSuccess).toBe(before.health.errorsSinceLastSuccess);
      } else {
        expect(gap(after)).toBe(gap(before));
      }
    }, 1000);
    expect(releases).toBeGreaterThan(0); // the generated runs reached this case
  });

  it('penalty_released and probe_now change nothing but the penalty box and the failure count', () => {
    let hits = 0;
    forEachStep((before, event, after) => {
      if (event.type !== 'penalty_released' && event.type !== 'probe_now') return;
      if (before.penaltyBox === null) {
        expect(after).toBe(before);
        return;
      }
      hits++;
      expect(after.status).toBe(before.status);
      expect(after.statusReason).toBe(before.statusReason);
      expect(after.lastStatus).toBe(before.lastStatus);
      expect(after.health.failingSince).toBe(before.health.failingSince);
      if (event.type === 'penalty_released') {
        expect(after.penaltyBox).toBeNull();
      } else {
        expect(after.penaltyBox?.level).toBe(before.penaltyBox.level);
        expect(after.penaltyBox?.until.getTime()).toBe(
          Math.min(before.penaltyBox.until.getTime(), event.at.getTime()),
        );
      }
    }, 1000);
    expect(hits).toBeGreaterThan(0); // the generated runs reached this case
  });

  it('keeps status, reason, penalty box and timestamps consistent', () => {
    forEachStep((_, __, after) => {
      expect(after.statusReason === null).toBe(after.status === 'active');
      expect(after.suspendedAt !== null).toBe(after.status === 'suspended');
      if (after.status === 'paused') {
        expect(after.pausedAt).not.toBeNull();
      }
      if (after.status !== 'active') {
        expect(after.penaltyBox).toBeNull();
      }
    });
  });
});
