import { setTimeout as sleep } from 'node:timers/promises';
import { restartTestServer } from '@hookyard/data-access';
import {
  CapturingLogger,
  DELIVERY_ENV,
  endpointBody,
  eventually,
  startTestApp,
  type TestApp,
} from './harness';
import { Receiver } from './receiver';

/**
 * Catalogue row P1 (docs/reliability.md): PostgreSQL restarts (fast, then immediate) while events
 * stream in. The API answers 503 quickly during the outage, the worker reconnects on its own, and
 * every event that was acknowledged with 2xx is delivered.
 */
describe('P1 PostgreSQL restarts mid-run', () => {
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp(
      { ...DELIVERY_ENV, HOOKYARD_LEASE_SECONDS: '4' },
      { worker: true, logger },
    );
    ({ apiKey: key } = await t.createOrganization());
    await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({ url: receiver.url('/ok?p1'), topics: ['post.created'] }),
    });
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  it('loses no acknowledged event and answers 503 quickly while the database is down', async () => {
    const acked = new Map<string, string>(); // idempotency key -> event id
    const unacked = new Set<string>();
    const statuses = new Map<number, number>();
    let slowest = 0;
    let n = 0;
    // The windows in which the server is down or restarting, and what the API answered meanwhile.
    const outages: { from: number; to: number }[] = [];
    const answers: { startedAt: number; ms: number; status: number }[] = [];
    const inOutage = (at: number) => outages.some((o) => at >= o.from && at <= o.to);
    const publish = async (idempotencyKey: string) => {
      const started = Date.now();
      const response = await t
        .request('POST', '/v1/events', {
          key,
          body: { topic: 'post.created', data: { idempotencyKey } },
          headers: { 'idempotency-key': idempotencyKey },
        })
        .catch(() => ({ status: 0, body: undefined as { id: string } | undefined }));
      slowest = Math.max(slowest, Date.now() - started);
      answers.push({ startedAt: started, ms: Date.now() - started, status: response.status });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status === 202 && response.body) {
        acked.set(idempotencyKey, response.body.id);
        unacked.delete(idempotencyKey);
      } else {
        unacked.add(idempotencyKey);
      }
    };

    // `/readyz` probed throughout: what it answered, when, and how long it took.
    const probes: { at: number; ms: number; status: number; database?: string }[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const at = Date.now();
        const probe = await t
          .request('GET', '/readyz')
          .catch(() => ({ status: 0, body: undefined }));
        const body = probe.body as { checks?: { database?: string } } | undefined;
        probes.push({
          at,
          ms: Date.now() - at,
          status: probe.status,
          database: body?.checks?.database,
        });
        await sleep(50);
      }
    })();
    const outage = async (mode: 'fast' | 'immediate') => {
      const from = Date.now();
      await restartTestServer(mode);
      outages.push({ from, to: Date.now() });
    };
    const stream = (async () => {
      const until = Date.now() + 12_000;
      while (Date.now() < until) {
        await publish(`p1-${n++}`);
        await sleep(20);
      }
    })();
    await sleep(3000);
    const faultAt = Date.now();
    await outage('fast');
    await sleep(3000);
    await outage('immediate');
    await stream;
    const lastOutageEnd = Math.max(...outages.map((o) => o.to));
    await eventually(
      () => expect(probes.some((p) => p.at > lastOutageEnd && p.status === 200)).toBe(true),
      30_000,
    );
    probing = false;
    await prober;

    // Clients retry what was not acknowledged, with the same idempotency keys.
    await eventually(async () => {
      for (const idempotencyKey of [...unacked]) await publish(idempotencyKey);
      expect(unacked.size).toBe(0);
    }, 30_000);

    const ids = new Set(acked.values());
    await receiver.waitFor(
      (ledger) =>
        new Set(ledger.filter((r) => r.status === 200).map((r) => r.webhookId)).size >= ids.size,
      60_000,
    );
    const receipts = receiver.receipts('/ok?p1').filter((r) => r.status === 200);
    const unique = new Set(receipts.map((r) => r.webhookId));
    const lost = [...ids].filter((id) => !unique.has(id)).length;
    const firstAfterFault = receipts.find((r) => r.receivedAt > faultAt + 500);
    const duringOutage = answers.filter((a) => inOutage(a.startedAt));
    const unready = probes.filter((p) => p.status === 503);
    const readyAgainAt = probes.find((p) => p.at > lastOutageEnd && p.status === 200)?.at ?? 0;
    const report = {
      sent: ids.size,
      lost,
      duplicates: receipts.length - unique.size,
      api_status_histogram: Object.fromEntries(statuses),
      slowest_publish_ms: slowest,
      recovery_s: firstAfterFault ? (firstAfterFault.receivedAt - faultAt) / 1000 : null,
      outage_ms: outages.map((o) => o.to - o.from),
      outage_requests: duringOutage.length,
      outage_slowest_ms: Math.max(0, ...duringOutage.map((a) => a.ms)),
      slowest_503_ms: Math.max(0, ...answers.filter((a) => a.status === 503).map((a) => a.ms)),
      readyz_503: unready.length,
      readyz_slowest_ms: Math.max(0, ...probes.map((p) => p.ms)),
      ready_again_s: (readyAgainAt - lastOutageEnd) / 1000,
      // What each 500 was, if one happened: the first line of the error the API logged.
      api_errors: logger.lines
        .filter((line) => line.startsWith('error') && line.includes(' failed (500 '))
        .map((line) => line.split('\n')[0]?.slice(0, 300)),
    };
    process.stdout.write(`P1 postgres restart: ${JSON.stringify(report)}\n`);
    expect(lost).toBe(0);
    expect([...statuses.keys()].filter((s) => s !== 202 && s !== 503 && s !== 0)).toEqual([]);
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0); // the outage was seen, and answered 503
    expect(slowest).toBeLessThan(15_000);
    // During the outage every request is answered, and within 2 s; a 503 is always quick.
    expect(duringOutage.length).toBeGreaterThan(0);
    expect(duringOutage.filter((a) => a.ms >= 2000 || a.status === 0)).toEqual([]);
    expect(answers.filter((a) => a.status === 503 && a.ms >= 2000)).toEqual([]);
    // `/readyz` told the truth: 503 with the database check failing while it was down, 200 after.
    expect(unready.length).toBeGreaterThan(0);
    expect(unready.every((p) => p.database === 'down')).toBe(true);
    expect(probes.filter((p) => p.status !== 200 && p.status !== 503)).toEqual([]);
    expect(probes.filter((p) => p.ms >= 2000)).toEqual([]);
    expect(probes.at(-1)?.status).toBe(200);
    const [row] = await t.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM events`);
    expect(Number(row.n)).toBe(ids.size); // retried publishes made no duplicate events
    expect((await t.request('GET', '/readyz')).status).toBe(200);
  });
});
