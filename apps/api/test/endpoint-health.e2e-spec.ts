import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '@hookyard/config';
import { sweepEndpointHealth } from '@hookyard/delivery';
import { eventually, sleepUntil, type TestApp, useDeliveryApp } from './harness';
import { type Receiver } from './receiver';

describe('endpoint health: penalty box, auto-pause, suspension and reactivation', () => {
  const fixture = useDeliveryApp({
    HOOKYARD_RETRY_SCHEDULE: '1s,1s,1s,1s,1s,1s,1s,1s',
    HOOKYARD_PENALTY_AFTER: '2',
    HOOKYARD_PENALTY_COOLDOWN_SECONDS: '2',
    HOOKYARD_PAUSE_AFTER: '4',
    HOOKYARD_ENDPOINT_CONCURRENCY: '1',
  });
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  beforeAll(() => ({ t, receiver, key } = fixture));

  const endpoint = (path: string, topics: string[]) => fixture.endpoint(path, { topics });

  const publish = (topic: string) =>
    t.request('POST', '/v1/events', { key, body: { topic, data: { at: Date.now() } } });
  const show = async (id: string) => (await t.request('GET', `/v1/endpoints/${id}`, { key })).body;

  it('D11 holds deliveries in the penalty box, pauses after the failure streak, and delivers them after reactivation', async () => {
    const failing = await endpoint('/status/500?streak', ['post.created']);
    const published = await publish('post.created');
    // The second failure boxes it: the native API shows until when, and that the next try is a probe.
    await receiver.waitFor(
      (ledger) => ledger.filter((r) => r.path === '/status/500?streak').length === 2,
    );
    await eventually(async () => {
      const { health } = await show(failing.id);
      expect(health.penaltyLevel).toBe(1);
      expect(Date.parse(health.penaltyUntil)).toBeGreaterThan(
        receiver.receipts('/status/500?streak')[1].receivedAt,
      );
    });
    await receiver.waitFor(
      (ledger) => ledger.filter((r) => r.path === '/status/500?streak').length === 4,
      20_000,
    );
    const tries = receiver.receipts('/status/500?streak');
    const gaps = tries.slice(1).map((r, i) => r.receivedAt - tries[i].receivedAt);
    expect(gaps[0]).toBeLessThan(1900); // the retry schedule (1 s), before the penalty box
    expect(gaps[1]).toBeGreaterThanOrEqual(1800); // the first cool-down (2 s)
    expect(gaps[2]).toBeGreaterThanOrEqual(3600); // the cool-down doubles after a failed probe
    await eventually(async () =>
      expect(await show(failing.id)).toMatchObject({
        status: 'paused',
        statusReason: 'consecutive_failures',
        health: { consecutiveFailures: 4, errorsSinceLastSuccess: 4 },
        lastStatus: { code: 500 },
      }),
    );
    // A window, not a condition: the pause empties the penalty box, so were it not honoured the
    // retry would come 1 s ± 20% after the last try.
    await sleepUntil(tries[3].receivedAt + 1500);
    expect(receiver.receipts('/status/500?streak')).toHaveLength(4); // paused: nothing more is sent

    const reactivated = await t.request('PATCH', `/v1/endpoints/${failing.id}`, {
      key,
      body: { status: 'active', url: receiver.url('/ok?after-reactivation') },
    });
    expect(reactivated.body).toMatchObject({
      status: 'active',
      statusReason: null,
      health: {
        consecutiveFailures: 0,
        errorsSinceLastSuccess: 0,
        avgResponseTime: 0,
        penaltyUntil: null,
        penaltyLevel: 0,
      },
    });
    await receiver.waitFor((ledger) => ledger.some((r) => r.path === '/ok?after-reactivation'));
    expect(receiver.receipts('/ok?after-reactivation')[0].webhookId).toBe(published.body.id);
  });

  it('holds deliveries of a manually paused endpoint and releases them on reactivation', async () => {
    const target = await endpoint('/ok?manual', ['post.updated']);
    await endpoint('/ok?beside-manual', ['post.updated']);
    await t.request('PATCH', `/v1/endpoints/${target.id}`, { key, body: { status: 'paused' } });
    const published = await publish('post.updated');
    // Both deliveries of the event are due at once, so an unheld one goes out with the copy for the
    // active endpoint beside it; the short window after is for it to land (nothing marks "held").
    await receiver.waitFor((ledger) => ledger.some((r) => r.path === '/ok?beside-manual'));
    await sleep(200);
    expect(receiver.receipts('/ok?manual')).toEqual([]);
    await t.request('PATCH', `/v1/endpoints/${target.id}`, { key, body: { status: 'active' } });
    await receiver.waitFor((ledger) => ledger.some((r) => r.path === '/ok?manual'));
    expect(receiver.receipts('/ok?manual').map((r) => r.webhookId)).toEqual([published.body.id]);
  });

  it('R5 suspends an endpoint on 410 Gone and fails its pending deliveries', async () => {
    const gone = await endpoint('/gone', ['ticket.deleted']);
    await publish('ticket.deleted');
    await publish('ticket.deleted');
    await receiver.waitFor((ledger) => ledger.some((r) => r.path === '/gone'));
    await eventually(async () => {
      expect(await show(gone.id)).toMatchObject({
        status: 'suspended',
        statusReason: 'gone',
        suspendedAt: expect.stringMatching(/^\d{4}-/),
      });
      const deliveries = await t.dataSource.query<{ status: string }[]>(
        `SELECT status FROM deliveries WHERE endpoint_id = $1`,
        [gone.id],
      );
      expect(deliveries.map((d) => d.status)).toEqual(['failed', 'failed']);
    }, 15_000);
    // Both are final, so no more can come. The second event may have gone out while the first 410
    // was being recorded (tries are recorded in batches), and its try lands after the suspension
    // failed its delivery: once the worker holds no try, every request that went out is logged.
    await eventually(() => expect(t.worker?.busy).toBe(0), 15_000);
    const attempts = await t.dataSource.query<{ status_code: number }[]>(
      `SELECT status_code FROM attempts WHERE endpoint_id = $1`,
      [gone.id],
    );
    expect(attempts.map((a) => a.status_code)).toEqual(receiver.receipts('/gone').map(() => 410));
    expect(attempts.length).toBeGreaterThanOrEqual(1);
  });

  it('keeps an event for a suspended endpoint as a failed delivery that recover sends after reactivation', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const gone = await endpoint('/gone?then-recovered', ['ticket.updated']);
    await publish('ticket.updated');
    await eventually(async () =>
      expect(await show(gone.id)).toMatchObject({ status: 'suspended' }),
    );

    const whileSuspended = await publish('ticket.updated');
    expect(whileSuspended.body).toMatchObject({ deliveries: 1 });
    const held = await t.request('GET', `/v1/endpoints/${gone.id}/deliveries?status=failed`, {
      key,
    });
    expect(held.body.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ eventId: whileSuspended.body.id, attemptCount: 0 }),
      ]),
    );
    // Failed before any try is final until a recover: nothing can have been sent for it.
    expect(receiver.receipts('/gone?then-recovered')).toHaveLength(1);

    const url = receiver.url('/ok?recovered-after-suspension');
    await t.request('PATCH', `/v1/endpoints/${gone.id}`, { key, body: { url, status: 'active' } });
    const recovered = await t.request('POST', `/v1/endpoints/${gone.id}/recover`, {
      key,
      body: { since },
    });
    expect(recovered.body).toEqual({ recovered: 2 });
    await receiver.waitFor(
      (ledger) => ledger.filter((r) => r.path === '/ok?recovered-after-suspension').length === 2,
    );
    expect(receiver.receipts('/ok?recovered-after-suspension').map((r) => r.webhookId)).toContain(
      whileSuspended.body.id,
    );
  });

  it('D11 never pauses an endpoint whose failures alternate with successes', async () => {
    const sporadic = await endpoint('/flaky/1', ['comment.created']);
    for (let i = 1; i <= 4; i++) {
      await publish('comment.created'); // each event fails once, then succeeds: F S F S F S F S
      await receiver.waitFor(
        (ledger) => ledger.filter((r) => r.path === '/flaky/1' && r.status === 200).length === i,
        10_000,
      );
    }
    expect(receiver.receipts('/flaky/1').map((r) => r.status)).toEqual([
      500, 200, 500, 200, 500, 200, 500, 200,
    ]);
    await eventually(async () => {
      expect(await show(sporadic.id)).toMatchObject({
        status: 'active',
        health: { consecutiveFailures: 0, lastResponseTime: expect.any(Number) },
      });
    });
  });
});

describe('endpoint health over time, with no attempts', () => {
  const env = {
    HOOKYARD_RETRY_SCHEDULE: '1h',
    HOOKYARD_PAUSE_AFTER_SECONDS: '1',
    HOOKYARD_SUSPEND_AFTER_SECONDS: '3',
  };
  const { thresholds } = loadConfig(env);
  const fixture = useDeliveryApp(env);
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  beforeAll(() => ({ t, receiver, key } = fixture));

  it('pauses after the failure window and suspends after the longer one, failing what was held', async () => {
    const target = await fixture.endpoint('/status/500?silent', { topics: ['post.created'] });
    await t.request('POST', '/v1/events', { key, body: { topic: 'post.created', data: {} } });
    const show = async () => (await t.request('GET', `/v1/endpoints/${target.id}`, { key })).body;
    await eventually(async () => expect((await show()).health.consecutiveFailures).toBe(1));
    const failedAt = await failingSince(t, target.id);

    await sweepEndpointHealth(t.dataSource, thresholds);
    expect(await show()).toMatchObject({ status: 'active' }); // the window has not passed yet
    await sleepUntil(failedAt + 1100); // a window: the streak must be 1 s old to pause
    await sweepEndpointHealth(t.dataSource, thresholds);
    expect(await show()).toMatchObject({ status: 'paused', statusReason: 'failure_duration' });

    await sleepUntil(failedAt + 3100); // a window: the streak must be 3 s old to suspend
    await sweepEndpointHealth(t.dataSource, thresholds);
    expect(await show()).toMatchObject({ status: 'suspended', statusReason: 'failure_duration' });
    const deliveries = await t.dataSource.query<{ status: string }[]>(
      `SELECT status FROM deliveries WHERE endpoint_id = $1`,
      [target.id],
    );
    expect(deliveries.map((d) => d.status)).toEqual(['failed']);
    expect(receiver.receipts('/status/500?silent')).toHaveLength(1);
  });
});

describe('endpoint suspended while a try is in flight', () => {
  const env = {
    HOOKYARD_RETRY_SCHEDULE: '1h',
    HOOKYARD_PAUSE_AFTER_SECONDS: '100',
    HOOKYARD_SUSPEND_AFTER_SECONDS: '2',
  };
  const { thresholds } = loadConfig(env);
  const fixture = useDeliveryApp(env);
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  beforeAll(() => ({ t, receiver, key } = fixture));

  it('records the try that was in flight, and fails only what was waiting', async () => {
    const target = await fixture.endpoint('/status/500?in-flight', { topics: ['post.voted'] });
    const waiting = await t.request('POST', '/v1/events', {
      key,
      body: { topic: 'post.voted', data: { n: 1 } },
    });
    const show = async () => (await t.request('GET', `/v1/endpoints/${target.id}`, { key })).body;
    await eventually(async () => expect((await show()).health.consecutiveFailures).toBe(1));

    await t.request('PATCH', `/v1/endpoints/${target.id}`, {
      key,
      body: { url: receiver.url('/slow/3000') },
    });
    const inFlight = await t.request('POST', '/v1/events', {
      key,
      body: { topic: 'post.voted', data: { n: 2 } },
    });
    await eventually(() => expect(t.worker?.busy).toBe(1)); // the second try is being answered
    // A window, not a condition: the streak must be 2 s old to suspend; /slow/3000 still answers.
    await sleepUntil((await failingSince(t, target.id)) + 2100);
    await sweepEndpointHealth(t.dataSource, thresholds);
    expect(await show()).toMatchObject({ status: 'suspended', statusReason: 'failure_duration' });

    const statusOf = async (eventId: string) =>
      (
        await t.dataSource.query<{ status: string; attempt_count: number }[]>(
          `SELECT status, attempt_count FROM deliveries WHERE event_id = $1`,
          [eventId],
        )
      )[0];
    expect(await statusOf(waiting.body.id)).toEqual({ status: 'failed', attempt_count: 1 });
    await eventually(async () =>
      expect(await statusOf(inFlight.body.id)).toEqual({ status: 'succeeded', attempt_count: 1 }),
    );
    const attempts = await t.dataSource.query<{ status_code: number | null }[]>(
      `SELECT status_code FROM attempts WHERE event_id = $1`,
      [inFlight.body.id],
    );
    expect(attempts).toEqual([{ status_code: 200 }]);
  });
});

/** When the endpoint's current failure streak began, as the duration rules of the sweep read it. */
async function failingSince(t: TestApp, endpointId: string): Promise<number> {
  const [row] = await t.dataSource.query<{ failing_since: Date }[]>(
    `SELECT failing_since FROM endpoints WHERE id = $1`,
    [endpointId],
  );
  return row.failing_since.getTime();
}
