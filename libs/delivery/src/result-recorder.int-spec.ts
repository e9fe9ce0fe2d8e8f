import { randomBytes, randomUUID } from 'node:crypto';
import { type DataSource, type EntityManager } from 'typeorm';
import {
  type ClaimedDelivery,
  createTestDatabase,
  openDatabase,
  type TestDatabase,
} from '@hookyard/data-access';
import {
  byDialect,
  DEFAULT_RETRY_POLICY,
  DEFAULT_THRESHOLDS,
  ObjectIdGenerator,
} from '@hookyard/webhook-core';
import { type DeliveryOutcomeLabel, type WorkerMetrics } from '@hookyard/observability';
import { type SendEndpoint } from './delivery-sender';
import { retryStep } from './next-step';
import { OrganizationSettingsCache } from './organization-settings.cache';
import { type OutboundResult } from './outbound-client';
import { type NextStep, type Outcome, ResultRecorder, type TryResult } from './result-recorder';

const ids = new ObjectIdGenerator(randomBytes);

/** A WorkerMetrics that keeps every call, to compare with what the database holds. */
class RecordingMetrics implements WorkerMetrics {
  readonly deliveries: [DeliveryOutcomeLabel, string][] = [];
  readonly flushes: number[] = [];
  /** Throws on the first `recordDelivery` while set (a metric or log write that fails). */
  failOnce = false;
  recordDelivery(outcome: DeliveryOutcomeLabel, _seconds: number, organizationId: string): void {
    if (this.failOnce) {
      this.failOnce = false;
      throw new Error('EPIPE');
    }
    this.deliveries.push([outcome, organizationId]);
  }
  observeClaimBatch(): void {}
  observeFlushBatch(size: number): void {
    this.flushes.push(size);
  }
  watchOutboundConnections(): () => void {
    return () => undefined;
  }
}

/** The retry policy of these tests: 2xx done, 410 given up, anything else retried in a minute. */
function nextStep(_result: TryResult, outcome: Outcome): NextStep {
  if (outcome === 'success') return { status: 'succeeded', nextAttemptAt: null };
  if (outcome === 'gone') return { status: 'failed', nextAttemptAt: null };
  return { status: 'pending', nextAttemptAt: new Date(Date.now() + 60_000) };
}

function response(status: number): OutboundResult {
  const body = {
    headers: {},
    bodyExcerpt: '',
    bodyBytes: 0,
    truncated: false,
    publicAddress: true,
  };
  return { kind: 'response', status, durationMs: 12, ...body };
}

async function insertEndpoint(dataSource: DataSource, org: string): Promise<string> {
  const id = ids.next(new Date());
  await dataSource.query(
    `INSERT INTO endpoints (id, organization_id, dialect, url, name, topics, status, timeout_ms, auth_type, signing_protocol, payload_version)
     VALUES ($1, $2, 'native', 'https://example.com', 'e', '{post.created}', 'active', 5000, 'none', 'v1', '1')`,
    [id, org],
  );
  return id;
}

/**
 * A pending delivery of `org` to `endpointId` (a native endpoint), claimed by `claimId`, and its
 * finished first try answered `result`.
 */
async function claimedTry(
  dataSource: DataSource,
  org: string,
  endpointId: string,
  result: OutboundResult,
  claimId = randomUUID(),
): Promise<TryResult> {
  const event = ids.next(new Date());
  const id = ids.next(new Date());
  await dataSource.query(
    `INSERT INTO events (id, organization_id, topic, data, payload_hash) VALUES ($1, $2, 'post.created', '{}', 'h')`,
    [event, org],
  );
  await dataSource.query(
    `INSERT INTO deliveries (id, organization_id, event_id, endpoint_id, status, next_attempt_at, claim_id, claim_expires_at)
     VALUES ($1, $2, $3, $4, 'pending', now(), $5, now() + interval '1 minute')`,
    [id, org, event, endpointId, claimId],
  );
  const delivery: ClaimedDelivery = {
    id,
    organizationId: org,
    eventId: event,
    endpointId,
    attemptCount: 0,
    trigger: 'scheduled',
    probe: false,
    fifo: false,
    endpointVersion: '',
    event: { topic: 'post.created', data: {}, previousData: null, createdAt: new Date() },
  };
  return {
    claimId,
    delivery,
    endpoint: { dialect: 'native' } as SendEndpoint,
    result,
    requestHeaders: {},
    at: new Date(),
  };
}

describe('ResultRecorder (what it counts)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let org: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await openDatabase({ url: database.url, poolSize: 3 });
    org = ids.next(new Date());
    await dataSource.query(`INSERT INTO organizations (id, name) VALUES ($1, 'o')`, [org]);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const endpoint = () => insertEndpoint(dataSource, org);
  const tried = (endpointId: string, result: OutboundResult, claimId = randomUUID()) =>
    claimedTry(dataSource, org, endpointId, result, claimId);

  /**
   * Records `tries` as one batch (the last one added fills it, so it is recorded at once) and waits
   * until the recorder hands them back, then closes it.
   */
  async function record(
    tries: readonly TryResult[],
    metrics: WorkerMetrics,
    source: DataSource = dataSource,
  ): Promise<readonly TryResult[][]> {
    const handedBack: TryResult[][] = [];
    let done: () => void = () => undefined;
    const recordedAll = new Promise<void>((resolve) => (done = resolve));
    const recorder = new ResultRecorder(
      source,
      ids,
      {
        maxResults: tries.length,
        delayMs: 60_000,
        thresholds: DEFAULT_THRESHOLDS,
        nextStep,
        metrics,
      },
      (results) => {
        handedBack.push([...results]);
        done();
      },
    );
    for (const t of tries) recorder.add(t);
    await recordedAll;
    await recorder.close();
    return handedBack;
  }

  const statusOf = async (t: TryResult) =>
    (
      await dataSource.query<{ status: string }[]>(`SELECT status FROM deliveries WHERE id = $1`, [
        t.delivery.id,
      ])
    )[0]?.status;

  it('counts each written try by how it left its delivery: success, retry or failed', async () => {
    const target = await endpoint();
    const tries = [
      await tried(target, response(200)),
      await tried(target, response(500)),
      await tried(target, response(503)),
    ];
    const metrics = new RecordingMetrics();
    await record(tries, metrics);
    expect(metrics.deliveries).toEqual([
      ['success', org],
      ['retry', org],
      ['retry', org],
    ]);
    expect(metrics.flushes).toEqual([3]);
    expect(await Promise.all(tries.map(statusOf))).toEqual(['succeeded', 'pending', 'pending']);
  });

  it('counts a try as failed when a 410 in the same batch suspends its endpoint and fails it', async () => {
    const target = await endpoint();
    const retried = await tried(target, response(500));
    const gone = await tried(target, response(410));
    const metrics = new RecordingMetrics();
    await record([retried, gone], metrics);
    expect(await Promise.all([retried, gone].map(statusOf))).toEqual(['failed', 'failed']);
    expect(metrics.deliveries).toEqual([
      ['failed', org],
      ['failed', org],
    ]);
  });

  it('neither counts nor sizes in a try whose lease was lost', async () => {
    const target = await endpoint();
    const held = await tried(target, response(200));
    const lost = await tried(target, response(200));
    await dataSource.query(`UPDATE deliveries SET claim_id = $2 WHERE id = $1`, [
      lost.delivery.id,
      randomUUID(), // another worker claimed it after the lease ran out
    ]);
    const metrics = new RecordingMetrics();
    const handedBack = await record([held, lost], metrics);
    expect(metrics.deliveries).toEqual([['success', org]]);
    expect(metrics.flushes).toEqual([1]);
    expect(handedBack.map((batch) => batch.length)).toEqual([2]); // both slots are freed
  });

  it('counts a batch once when its first transaction rolled back and the second committed', async () => {
    const target = await endpoint();
    const tries = [await tried(target, response(200)), await tried(target, response(500))];
    let transactions = 0;
    const flaky = {
      transaction: <T>(work: (tx: EntityManager) => Promise<T>): Promise<T> =>
        dataSource.transaction(async (tx) => {
          const result = await work(tx);
          if (++transactions === 1) throw new Error('connection reset');
          return result;
        }),
    } as unknown as DataSource;
    const metrics = new RecordingMetrics();
    await record(tries, metrics, flaky);
    expect(transactions).toBe(2);
    expect(metrics.deliveries).toEqual([
      ['success', org],
      ['retry', org],
    ]);
    expect(metrics.flushes).toEqual([2]);
  });

  it('does not run a committed batch again when counting it throws', async () => {
    const target = await endpoint();
    const tries = [await tried(target, response(200)), await tried(target, response(200))];
    let transactions = 0;
    const counting = {
      transaction: <T>(work: (tx: EntityManager) => Promise<T>): Promise<T> => {
        transactions++;
        return dataSource.transaction(work);
      },
    } as unknown as DataSource;
    const metrics = new RecordingMetrics();
    metrics.failOnce = true;
    const handedBack = await record(tries, metrics, counting);
    expect(transactions).toBe(1);
    expect(handedBack.map((batch) => batch.length)).toEqual([2]);
    const [attempts] = await dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM attempts WHERE delivery_id = ANY($1)`,
      [tries.map((t) => t.delivery.id)],
    );
    expect(attempts).toEqual({ n: 2 });
  });
});

describe("ResultRecorder (each organization's retry schedule and thresholds)", () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  /** Retries after an hour and enters the penalty box at the first failure. */
  let own: string;
  /** Sets nothing: the installation's schedule (first retry after 5 s) and thresholds. */
  let plain: string;
  const policies = byDialect(() => DEFAULT_RETRY_POLICY);

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await openDatabase({ url: database.url, poolSize: 3 });
    own = ids.next(new Date());
    plain = ids.next(new Date());
    await dataSource.query(
      `INSERT INTO organizations (id, name, retry_schedule_seconds, thresholds)
       VALUES ($1, 'own', '{3600,7200}', '{"penaltyAfter": 1, "penaltyCooldownSeconds": 600}'), ($2, 'plain', NULL, NULL)`,
      [own, plain],
    );
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  /** A failed first try (HTTP 500) of a new delivery to a new endpoint of `org`. */
  const failedTry = async (org: string) =>
    claimedTry(dataSource, org, await insertEndpoint(dataSource, org), response(500));

  /** Records `tries` in one batch as the worker does: its retry step, the organizations' settings. */
  async function record(tries: readonly TryResult[]): Promise<void> {
    let done: () => void = () => undefined;
    const recordedAll = new Promise<void>((resolve) => (done = resolve));
    const recorder = new ResultRecorder(
      dataSource,
      ids,
      {
        maxResults: tries.length,
        delayMs: 60_000,
        thresholds: DEFAULT_THRESHOLDS,
        organizations: new OrganizationSettingsCache(dataSource, {
          retryPolicies: policies,
          thresholds: DEFAULT_THRESHOLDS,
        }),
        // No jitter at 0.5: the delay is the schedule's.
        nextStep: (result, outcome, organization) =>
          retryStep(result, outcome, organization?.retryPolicies ?? policies, () => 0.5),
      },
      () => done(),
    );
    for (const t of tries) recorder.add(t);
    await recordedAll;
    await recorder.close();
  }

  const delivery = async (t: TryResult) =>
    (
      await dataSource.query<{ next_attempt_at: Date }[]>(
        `SELECT next_attempt_at FROM deliveries WHERE id = $1`,
        [t.delivery.id],
      )
    )[0];

  const endpoint = async (t: TryResult) =>
    (
      await dataSource.query<{ penalty_until: Date | null; penalty_level: number }[]>(
        `SELECT penalty_until, penalty_level FROM endpoints WHERE id = $1`,
        [t.delivery.endpointId],
      )
    )[0];

  it("schedules a retry by the organization's own schedule, and by the default for another", async () => {
    const ownTry = await failedTry(own);
    const plainTry = await failedTry(plain);
    await record([ownTry, plainTry]);
    const ownNext = (await delivery(ownTry))?.next_attempt_at;
    const plainNext = (await delivery(plainTry))?.next_attempt_at;
    expect(ownNext?.getTime()).toBe(ownTry.at.getTime() + 3_600_000);
    expect(plainNext?.getTime()).toBe(plainTry.at.getTime() + DEFAULT_RETRY_POLICY.scheduleMs[0]);
  });

  it("applies the organization's thresholds (penalty box at the first failure) and not another's", async () => {
    const ownTry = await failedTry(own);
    const plainTry = await failedTry(plain);
    await record([ownTry, plainTry]);
    expect(await endpoint(ownTry)).toEqual({
      penalty_until: new Date(ownTry.at.getTime() + 600_000),
      penalty_level: 1,
    });
    expect(await endpoint(plainTry)).toEqual({ penalty_until: null, penalty_level: 0 });
  });
});
