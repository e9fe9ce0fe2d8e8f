import {
  DEFAULT_THRESHOLDS,
  EMPTY_HEALTH,
  type EndpointEvent,
  type EndpointState,
  type StateThresholds,
  canDeliver,
  describeStatus,
  emptyHealth,
  initialEndpointState,
  isInPenaltyBox,
  transition,
} from './endpoint-state';

const T0 = new Date('2024-05-01T00:00:00.000Z').getTime();
const SECOND = 1_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A date `ms` after T0. */
const at = (ms: number): Date => new Date(T0 + ms);

const thresholds: StateThresholds = {
  penaltyAfter: 3,
  pauseAfter: 6,
  pauseAfterMs: 10 * HOUR,
  suspendAfterMs: 2 * DAY,
  penaltyBaseMs: 10 * SECOND,
  penaltyMaxMs: 35 * SECOND,
};

const succeeded = (ms: number, responseTimeMs = 100, statusCode = 200): EndpointEvent => ({
  type: 'attempt_succeeded',
  at: at(ms),
  statusCode,
  responseTimeMs,
});
const failed = (
  ms: number,
  statusCode: number | null = 500,
  responseTimeMs: number | null = 50,
  message = 'Internal Server Error',
): EndpointEvent => ({ type: 'attempt_failed', at: at(ms), statusCode, responseTimeMs, message });
const gone = (ms: number): EndpointEvent => ({ type: 'gone', at: at(ms), responseTimeMs: 20 });
const manualPause = (ms: number): EndpointEvent => ({ type: 'manual_pause', at: at(ms) });
const reactivate = (ms: number): EndpointEvent => ({ type: 'reactivate', at: at(ms) });
const timePassed = (ms: number): EndpointEvent => ({ type: 'time_passed', at: at(ms) });
const penaltyReleased = (ms: number): EndpointEvent => ({ type: 'penalty_released', at: at(ms) });
const probeNow = (ms: number): EndpointEvent => ({ type: 'probe_now', at: at(ms) });

function run(events: readonly EndpointEvent[], from: EndpointState = initialEndpointState()) {
  return events.reduce((state, event) => transition(state, event, thresholds), from);
}

/** `count` failures one second apart, starting at `startMs`. */
function failures(count: number, startMs = 0): EndpointEvent[] {
  return Array.from({ length: count }, (_, i) => failed(startMs + i * SECOND));
}

const manuallyPaused = (): EndpointState => run([failed(0), manualPause(SECOND)]);
const pausedForFailures = (): EndpointState => run(failures(6));
const suspendedByGone = (): EndpointState => run([failed(0), gone(SECOND)]);

describe('initial state', () => {
  it('starts active with empty health and nothing recorded', () => {
    expect(initialEndpointState()).toEqual({
      status: 'active',
      statusReason: null,
      health: EMPTY_HEALTH,
      lastStatus: null,
      penaltyBox: null,
      pausedAt: null,
      suspendedAt: null,
    });
  });

  it('gives a fresh, equal copy of the empty health each time', () => {
    expect(emptyHealth()).toEqual(EMPTY_HEALTH);
    expect(emptyHealth()).not.toBe(emptyHealth());
  });

  it('uses the product defaults as thresholds', () => {
    expect(DEFAULT_THRESHOLDS).toEqual({
      penaltyAfter: 5,
      pauseAfter: 20,
      pauseAfterMs: 24 * HOUR,
      suspendAfterMs: 5 * DAY,
      penaltyBaseMs: 30 * SECOND,
      penaltyMaxMs: HOUR,
    });
  });
});

describe('active endpoint', () => {
  it('records a success: counters zero, lastSuccessAt and lastStatus set, status unchanged', () => {
    const state = run([failed(0), succeeded(SECOND, 120, 204)]);
    expect(state.status).toBe('active');
    expect(state.health).toMatchObject({
      consecutiveFailures: 0,
      errorsSinceLastSuccess: 0,
      failingSince: null,
      lastSuccessAt: at(SECOND),
      lastResponseTime: 120,
    });
    expect(state.lastStatus).toEqual({ code: 204, message: 'Success', timestamp: at(SECOND) });
  });

  it('records a failure: both counters up, failingSince at the first failure, lastStatus set', () => {
    const state = run([failed(0), failed(SECOND, 503, 40, 'Service Unavailable')]);
    expect(state.status).toBe('active');
    expect(state.health).toMatchObject({
      consecutiveFailures: 2,
      errorsSinceLastSuccess: 2,
      failingSince: at(0),
      lastSuccessAt: null,
    });
    expect(state.lastStatus).toEqual({
      code: 503,
      message: 'Service Unavailable',
      timestamp: at(SECOND),
    });
  });

  it('records a network failure with a null code and leaves response times alone', () => {
    const state = run([succeeded(0, 80), failed(SECOND, null, null, 'ECONNREFUSED')]);
    expect(state.lastStatus).toEqual({
      code: null,
      message: 'ECONNREFUSED',
      timestamp: at(SECOND),
    });
    expect(state.health).toMatchObject({
      lastResponseTime: 80,
      avgResponseTime: 80,
      sampleCount: 1,
      consecutiveFailures: 1,
    });
  });

  it('stays out of the penalty box below penaltyAfter failures', () => {
    const state = run(failures(2));
    expect(state.penaltyBox).toBeNull();
    expect(canDeliver(state, at(3 * SECOND))).toBe('deliver');
  });

  it('enters the penalty box at penaltyAfter consecutive failures for penaltyBaseMs', () => {
    const state = run(failures(3));
    expect(state.status).toBe('active');
    expect(state.penaltyBox).toEqual({ level: 1, until: at(2 * SECOND + 10 * SECOND) });
  });

  it('grows the cool-down with each further failure in the box: base * 2^(level-1)', () => {
    const level2 = run([...failures(3), failed(20 * SECOND)]);
    expect(level2.penaltyBox).toEqual({ level: 2, until: at(20 * SECOND + 20 * SECOND) });
    const level3 = run([failed(50 * SECOND)], level2);
    expect(level3.penaltyBox).toEqual({ level: 3, until: at(50 * SECOND + 35 * SECOND) });
  });

  it('caps the cool-down at penaltyMaxMs', () => {
    const wide = { ...thresholds, pauseAfter: 100 };
    const state = Array.from({ length: 12 }, (_, i) => failed(i * HOUR)).reduce(
      (s, e) => transition(s, e, { ...wide, pauseAfterMs: 100 * DAY, suspendAfterMs: 100 * DAY }),
      initialEndpointState(),
    );
    expect(state.penaltyBox).toEqual({ level: 10, until: at(11 * HOUR + 35 * SECOND) });
  });

  it('releases the penalty box on a success', () => {
    const state = run([...failures(4), succeeded(30 * SECOND)]);
    expect(state.penaltyBox).toBeNull();
    expect(state.health.consecutiveFailures).toBe(0);
    expect(canDeliver(state, at(31 * SECOND))).toBe('deliver');
  });

  it('pauses after pauseAfter consecutive failures with reason consecutive_failures', () => {
    const before = run(failures(5));
    expect(before.status).toBe('active');
    const state = run([failed(5 * SECOND)], before);
    expect(state).toMatchObject({
      status: 'paused',
      statusReason: 'consecutive_failures',
      pausedAt: at(5 * SECOND),
      penaltyBox: null,
      suspendedAt: null,
    });
  });

  it('pauses when a failure comes pauseAfterMs into an unbroken streak (failure_duration)', () => {
    const justBefore = run([failed(0), failed(10 * HOUR - 1)]);
    expect(justBefore.status).toBe('active');
    const state = run([failed(0), failed(10 * HOUR)]);
    expect(state).toMatchObject({
      status: 'paused',
      statusReason: 'failure_duration',
      pausedAt: at(10 * HOUR),
    });
  });

  it('prefers consecutive_failures when count and duration are both reached', () => {
    const state = run([...failures(5), failed(10 * HOUR)]);
    expect(state.statusReason).toBe('consecutive_failures');
  });

  it('never pauses on alternating success and failure', () => {
    const events = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0 ? failed(i * HOUR) : succeeded(i * HOUR),
    );
    const state = run(events);
    expect(state.status).toBe('active');
    expect(state.health.consecutiveFailures).toBe(0);
  });

  it('suspends when a failure comes suspendAfterMs into the streak (failure_duration)', () => {
    const noPause = { ...thresholds, pauseAfterMs: 100 * DAY };
    const state = [failed(0), failed(2 * DAY)].reduce(
      (s, e) => transition(s, e, noPause),
      initialEndpointState(),
    );
    expect(state).toMatchObject({
      status: 'suspended',
      statusReason: 'failure_duration',
      suspendedAt: at(2 * DAY),
      pausedAt: null,
    });
  });

  it('suspends on a 410 Gone with reason gone, after the failure bookkeeping', () => {
    const state = suspendedByGone();
    expect(state).toMatchObject({
      status: 'suspended',
      statusReason: 'gone',
      suspendedAt: at(SECOND),
      penaltyBox: null,
      lastStatus: { code: 410, message: 'Gone', timestamp: at(SECOND) },
    });
    expect(state.health).toMatchObject({
      consecutiveFailures: 2,
      errorsSinceLastSuccess: 2,
      failingSince: at(0),
      lastResponseTime: 20,
    });
  });

  it('suspends on a 410 even from the penalty box and clears the box', () => {
    const state = run([...failures(3), gone(5 * SECOND)]);
    expect(state.status).toBe('suspended');
    expect(state.penaltyBox).toBeNull();
  });

  it('pauses on manual_pause with reason manual and releases the penalty box', () => {
    const state = run([...failures(3), manualPause(5 * SECOND)]);
    expect(state).toMatchObject({
      status: 'paused',
      statusReason: 'manual',
      pausedAt: at(5 * SECOND),
      penaltyBox: null,
    });
  });

  it('reactivating an active endpoint still resets its health and releases the box', () => {
    const state = run([...failures(3), reactivate(5 * SECOND)]);
    expect(state.status).toBe('active');
    expect(state.health).toEqual(EMPTY_HEALTH);
    expect(state.penaltyBox).toBeNull();
  });

  it('does nothing on time_passed when not failing', () => {
    const state = run([succeeded(0)]);
    expect(transition(state, timePassed(30 * DAY), thresholds)).toBe(state);
  });

  it('does nothing on time_passed before the streak reaches pauseAfterMs', () => {
    const state = run([failed(0)]);
    expect(transition(state, timePassed(10 * HOUR - 1), thresholds)).toBe(state);
  });

  it('pauses on time_passed once the streak reaches pauseAfterMs (failure_duration)', () => {
    const state = run([failed(0), timePassed(10 * HOUR)]);
    expect(state).toMatchObject({
      status: 'paused',
      statusReason: 'failure_duration',
      pausedAt: at(10 * HOUR),
    });
    expect(state.health.consecutiveFailures).toBe(1);
  });

  it('suspends on time_passed once the streak reaches suspendAfterMs', () => {
    const state = run([failed(0), timePassed(2 * DAY)]);
    expect(state).toMatchObject({
      status: 'suspended',
      statusReason: 'failure_duration',
      suspendedAt: at(2 * DAY),
    });
  });

  it('does not grow the penalty box on time_passed', () => {
    const state = run(failures(3));
    expect(transition(state, timePassed(5 * HOUR), thresholds)).toBe(state);
  });
});

describe('running average of response times', () => {
  it('is the mean of every sample since the last reset, rounded to whole ms', () => {
    const state = run([succeeded(0, 100), failed(SECOND, 500, 200), succeeded(2 * SECOND, 301)]);
    expect(state.health).toMatchObject({
      avgResponseTime: 200,
      sampleCount: 3,
      lastResponseTime: 301,
    });
  });

  it('starts again from the first sample after reactivation', () => {
    const state = run([succeeded(0, 1_000), reactivate(SECOND), succeeded(2 * SECOND, 10)]);
    expect(state.health).toMatchObject({ avgResponseTime: 10, sampleCount: 1 });
  });

  it('ignores negative or non-finite response times', () => {
    const state = run([
      succeeded(0, 100),
      succeeded(SECOND, -5),
      succeeded(2 * SECOND, Number.NaN),
    ]);
    expect(state.health).toMatchObject({
      avgResponseTime: 100,
      sampleCount: 1,
      lastResponseTime: 100,
    });
  });
});

describe('paused endpoint', () => {
  it('stays paused on a success but records it', () => {
    const state = run([succeeded(10 * SECOND, 90)], pausedForFailures());
    expect(state).toMatchObject({ status: 'paused', statusReason: 'consecutive_failures' });
    expect(state.health).toMatchObject({
      consecutiveFailures: 0,
      failingSince: null,
      lastSuccessAt: at(10 * SECOND),
    });
    expect(state.lastStatus?.message).toBe('Success');
  });

  it('stays paused on a failure, counting it, without a penalty box', () => {
    const state = run([failed(10 * SECOND)], pausedForFailures());
    expect(state).toMatchObject({ status: 'paused', penaltyBox: null, pausedAt: at(5 * SECOND) });
    expect(state.health.consecutiveFailures).toBe(7);
  });

  it('is suspended with reason gone on a 410', () => {
    const state = run([gone(10 * SECOND)], manuallyPaused());
    expect(state).toMatchObject({
      status: 'suspended',
      statusReason: 'gone',
      suspendedAt: at(10 * SECOND),
      pausedAt: at(SECOND),
    });
  });

  it('ignores a further manual_pause', () => {
    const paused = pausedForFailures();
    expect(transition(paused, manualPause(10 * SECOND), thresholds)).toBe(paused);
  });

  it('is reactivated with health zeroed, pausedAt cleared and lastStatus kept', () => {
    const paused = pausedForFailures();
    const state = run([reactivate(10 * SECOND)], paused);
    expect(state).toEqual({
      status: 'active',
      statusReason: null,
      health: EMPTY_HEALTH,
      lastStatus: paused.lastStatus,
      penaltyBox: null,
      pausedAt: null,
      suspendedAt: null,
    });
    expect(canDeliver(state, at(10 * SECOND))).toBe('deliver');
  });

  it('escalates a pause for failures to suspension on time_passed at suspendAfterMs', () => {
    const state = run([timePassed(2 * DAY)], pausedForFailures());
    expect(state).toMatchObject({
      status: 'suspended',
      statusReason: 'failure_duration',
      suspendedAt: at(2 * DAY),
      pausedAt: at(5 * SECOND),
    });
  });

  it('does not change on time_passed before suspendAfterMs', () => {
    const paused = pausedForFailures();
    expect(transition(paused, timePassed(2 * DAY - 1), thresholds)).toBe(paused);
  });

  it('never escalates a manual pause, however long the streak', () => {
    const paused = manuallyPaused();
    expect(transition(paused, timePassed(30 * DAY), thresholds)).toBe(paused);
    expect(run([failed(30 * DAY)], paused).status).toBe('paused');
  });

  it('holds deliveries', () => {
    expect(canDeliver(manuallyPaused(), at(DAY))).toBe('hold');
  });
});

describe('suspended endpoint', () => {
  it('stays suspended on a success but records it', () => {
    const state = run([succeeded(10 * SECOND)], suspendedByGone());
    expect(state).toMatchObject({ status: 'suspended', statusReason: 'gone' });
    expect(state.health.consecutiveFailures).toBe(0);
  });

  it('stays suspended on a failure', () => {
    const state = run([failed(10 * SECOND)], suspendedByGone());
    expect(state).toMatchObject({ status: 'suspended', suspendedAt: at(SECOND) });
    expect(state.health.consecutiveFailures).toBe(3);
  });

  it('keeps its reason and suspendedAt on a further 410', () => {
    const noPause = { ...thresholds, pauseAfterMs: 100 * DAY };
    const byDuration = [failed(0), failed(2 * DAY)].reduce(
      (s, e) => transition(s, e, noPause),
      initialEndpointState(),
    );
    const state = transition(byDuration, gone(3 * DAY), noPause);
    expect(state).toMatchObject({
      status: 'suspended',
      statusReason: 'failure_duration',
      suspendedAt: at(2 * DAY),
    });
    expect(state.lastStatus?.code).toBe(410);
  });

  it('ignores manual_pause', () => {
    const suspended = suspendedByGone();
    expect(transition(suspended, manualPause(10 * SECOND), thresholds)).toBe(suspended);
  });

  it('ignores time_passed', () => {
    const suspended = suspendedByGone();
    expect(transition(suspended, timePassed(30 * DAY), thresholds)).toBe(suspended);
  });

  it('is reactivated with health zeroed and suspendedAt cleared', () => {
    const state = run([reactivate(10 * SECOND)], suspendedByGone());
    expect(state).toMatchObject({
      status: 'active',
      statusReason: null,
      health: EMPTY_HEALTH,
      suspendedAt: null,
      pausedAt: null,
      lastStatus: { code: 410 },
    });
  });

  it('holds deliveries', () => {
    expect(canDeliver(suspendedByGone(), at(DAY))).toBe('hold');
  });
});

describe('penalty box helpers', () => {
  const boxed = run(failures(3)); // until = 12 s

  it('holds deliveries while the cool-down runs', () => {
    expect(isInPenaltyBox(boxed, at(12 * SECOND - 1))).toBe(true);
    expect(canDeliver(boxed, at(12 * SECOND - 1))).toBe('hold');
  });

  it('allows one probe once the cool-down has ended and the box is still set', () => {
    expect(isInPenaltyBox(boxed, at(12 * SECOND))).toBe(false);
    expect(canDeliver(boxed, at(12 * SECOND))).toBe('probe');
  });

  it('delivers normally once a probe succeeds', () => {
    const state = run([succeeded(12 * SECOND)], boxed);
    expect(isInPenaltyBox(state, at(12 * SECOND))).toBe(false);
    expect(canDeliver(state, at(12 * SECOND))).toBe('deliver');
  });

  it('holds again after a failed probe', () => {
    const state = run([failed(12 * SECOND)], boxed);
    expect(canDeliver(state, at(13 * SECOND))).toBe('hold');
    expect(canDeliver(state, at(32 * SECOND))).toBe('probe');
  });
});

describe('an operator acting on the penalty box', () => {
  const boxed = run(failures(4)); // level 2 since the 4th failure at 3 s, until 3 s + 20 s

  it('penalty_released clears the box and restarts the failure count, keeping the streak', () => {
    const state = run([penaltyReleased(5 * SECOND)], boxed);
    expect(state.penaltyBox).toBeNull();
    expect(state.status).toBe('active');
    expect(state.health).toMatchObject({
      consecutiveFailures: 0,
      errorsSinceLastSuccess: 4,
      failingSince: at(0),
    });
    expect(state.lastStatus).toBe(boxed.lastStatus);
    expect(canDeliver(state, at(5 * SECOND))).toBe('deliver');
  });

  it('after a release, enters the box again only after penaltyAfter new failures, at level 1', () => {
    const released = run([penaltyReleased(5 * SECOND)], boxed);
    expect(run(failures(2, 6 * SECOND), released).penaltyBox).toBeNull();
    expect(run(failures(3, 6 * SECOND), released).penaltyBox).toEqual({
      level: 1,
      until: at(8 * SECOND + 10 * SECOND),
    });
  });

  it('after a release, still pauses once the unbroken streak lasts pauseAfterMs', () => {
    const released = run([penaltyReleased(5 * SECOND)], boxed);
    expect(run([failed(10 * HOUR)], released)).toMatchObject({
      status: 'paused',
      statusReason: 'failure_duration',
    });
  });

  it('penalty_released also clears a box whose cool-down has ended and awaits its probe', () => {
    expect(canDeliver(boxed, at(HOUR))).toBe('probe');
    const state = run([penaltyReleased(HOUR)], boxed);
    expect(state.penaltyBox).toBeNull();
    expect(canDeliver(state, at(HOUR))).toBe('deliver');
  });

  it('penalty_released changes nothing outside the box, returning the same state', () => {
    for (const state of [
      initialEndpointState(),
      run(failures(2)),
      manuallyPaused(),
      pausedForFailures(),
      suspendedByGone(),
    ]) {
      expect(transition(state, penaltyReleased(DAY), thresholds)).toBe(state);
    }
  });

  it('probe_now ends the cool-down at once, keeping the level, so the next claim probes', () => {
    expect(canDeliver(boxed, at(5 * SECOND))).toBe('hold');
    const state = run([probeNow(5 * SECOND)], boxed);
    expect(state.penaltyBox).toEqual({ level: 2, until: at(5 * SECOND) });
    expect(state.health).toBe(boxed.health);
    expect(canDeliver(state, at(5 * SECOND))).toBe('probe');
  });

  it('a failed probe after probe_now grows the box from the kept level', () => {
    const state = run([probeNow(5 * SECOND), failed(6 * SECOND)], boxed);
    expect(state.penaltyBox).toEqual({ level: 3, until: at(6 * SECOND + 35 * SECOND) });
  });

  it('probe_now changes nothing once the probe is already due, or outside the box', () => {
    expect(transition(boxed, probeNow(HOUR), thresholds)).toBe(boxed);
    for (const state of [initialEndpointState(), run(failures(2)), pausedForFailures()]) {
      expect(transition(state, probeNow(DAY), thresholds)).toBe(state);
    }
  });
});

describe('describeStatus', () => {
  it.each([
    [initialEndpointState(), 'active'],
    [run(failures(3)), 'active, penalty box level 1 until 2024-05-01T00:00:12.000Z'],
    [manuallyPaused(), 'paused (manual) since 2024-05-01T00:00:01.000Z'],
    [suspendedByGone(), 'suspended (gone) since 2024-05-01T00:00:01.000Z'],
  ])('describes %# as %j', (state, expected) => {
    expect(describeStatus(state)).toBe(expected);
  });
});
