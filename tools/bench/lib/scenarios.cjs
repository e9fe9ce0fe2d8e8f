'use strict';
// The scenarios. Each makes its own organizations and endpoints (one receiver namespace each), so no
// scenario's events reach another's endpoints, then measures with measure.cjs.
const { drain, insertDue, medianRound, openSql, setStatus } = require('./backlog.cjs');
const { measure } = require('./measure.cjs');
const { errorText, sleep } = require('./util.cjs');

const TOPIC = 'post.created';
const EXCERPT = 'A short text that stands for the fields a real resource carries.';

/** A post of modest size, so the delivery body is of a realistic order (a few hundred bytes). */
const eventData = (scenario, n) => ({
  id: `post_${n}`,
  title: `Benchmark post ${n}`,
  excerpt: EXCERPT,
  scenario,
  n,
});

const publishJob = (key, scenario, n, targets) => ({
  key,
  path: '/v1/events',
  body: JSON.stringify({ topic: TOPIC, data: eventData(scenario, n) }),
  events: 1,
  targets,
});

/** The most attempts the shipped settings let the workers have in flight to `endpoints` endpoints. */
const inFlightCap = (ctx, endpoints) =>
  ctx.workers *
  Math.min(ctx.defaults.workerConcurrency, endpoints * ctx.defaults.endpointConcurrency);

/** One organization with `count` endpoints at /<scenario>/<mode>/e<i>. */
async function organizationWithEndpoints(ctx, scenario, mode, count) {
  const org = await ctx.createOrganization(`bench ${scenario}`);
  const endpoints = await ctx.createEndpoints(
    org.apiKey,
    Array.from({ length: count }, (_, i) => `/${scenario}/${mode}/e${i}`),
  );
  return { ...org, endpoints };
}

const SCENARIOS = {
  throughput: {
    title: '3 endpoints, N events, 20 publishers',
    sizes: { quick: { events: 300 }, full: { events: 2000 } },
    async run(ctx, size) {
      const events = ctx.eventsOverride ?? size.events;
      // The organization of HOOKYARD_BOOTSTRAP_API_KEY, as a user's first run would have it.
      const endpoints = await ctx.createEndpoints(
        ctx.bootstrapKey,
        [0, 1, 2].map((i) => `/throughput/ok/e${i}`),
      );
      const targets = endpoints.map((e) => e.path);
      return {
        throughput: await measure(ctx, {
          scenario: 'throughput',
          endpointIds: endpoints.map((e) => e.id),
          jobs: Array.from({ length: events }, (_, n) =>
            publishJob(ctx.bootstrapKey, 'throughput', n, targets),
          ),
          concurrency: 20,
          ceiling: { mode: 'ok', concurrency: inFlightCap(ctx, 3) },
        }),
      };
    },
  },

  fanout: {
    title: 'a few events, each to 50 endpoints, 1 publisher',
    sizes: { quick: { events: 3 }, full: { events: 10 } },
    async run(ctx, size) {
      const org = await organizationWithEndpoints(ctx, 'fanout', 'ok', 50);
      const targets = org.endpoints.map((e) => e.path);
      return {
        fanout: await measure(ctx, {
          scenario: 'fanout',
          endpointIds: org.endpoints.map((e) => e.id),
          jobs: Array.from({ length: size.events }, (_, n) =>
            publishJob(org.apiKey, 'fanout', n, targets),
          ),
          concurrency: 1,
          ceiling: { mode: 'ok', concurrency: inFlightCap(ctx, 50) },
        }),
      };
    },
  },

  tenants: {
    title: 'many organizations, 1 endpoint each, 1 event each',
    sizes: { quick: { organizations: 100 }, full: { organizations: 1000 } },
    async run(ctx, size) {
      const tenants = await ctx.mapLimit(
        Array.from({ length: size.organizations }, (_, i) => i),
        8,
        async (i) => {
          const org = await ctx.createOrganization(`bench tenant ${i}`);
          const [endpoint] = await ctx.createEndpoints(org.apiKey, [`/tenants/ok/o${i}`]);
          return { ...org, endpoint };
        },
      );
      ctx.log(`tenants: ${tenants.length} organizations with one endpoint each`);
      return {
        tenants: await measure(ctx, {
          scenario: 'tenants',
          endpointIds: tenants.map((t) => t.endpoint.id),
          jobs: tenants.map((t, n) => publishJob(t.apiKey, 'tenants', n, [t.endpoint.path])),
          concurrency: 20,
          ceiling: { mode: 'ok', concurrency: inFlightCap(ctx, tenants.length) },
        }),
      };
    },
  },

  slow: {
    title: '5 endpoints answering in 200 ms, 20 publishers',
    sizes: { quick: { events: 60 }, full: { events: 400 } },
    async run(ctx, size) {
      const org = await organizationWithEndpoints(ctx, 'slow', 'slow-200', 5);
      const targets = org.endpoints.map((e) => e.path);
      return {
        slow: await measure(ctx, {
          scenario: 'slow',
          endpointIds: org.endpoints.map((e) => e.id),
          jobs: Array.from({ length: size.events }, (_, n) =>
            publishJob(org.apiKey, 'slow', n, targets),
          ),
          concurrency: 20,
          ceiling: { mode: 'slow-200', concurrency: inFlightCap(ctx, 5) },
        }),
      };
    },
  },

  neighbour: {
    title:
      'a healthy endpoint at a steady rate, alone, then beside another organization’s endpoint that times out',
    sizes: { quick: { rate: 20, seconds: 4 }, full: { rate: 20, seconds: 20 } },
    async run(ctx, size) {
      const events = size.rate * size.seconds;
      // Two identical healthy endpoints in two organizations, one per phase, and the failing one in a third.
      const calm = await organizationWithEndpoints(ctx, 'neighbour-alone', 'ok', 1);
      const noisy = await organizationWithEndpoints(ctx, 'neighbour-noisy', 'ok', 1);
      const failing = await ctx.createOrganization('bench failing neighbour');
      const [hang] = await ctx.createEndpoints(failing.apiKey, ['/neighbour-noisy/hang/f0']);
      const alone = await measure(ctx, {
        scenario: 'neighbour-alone',
        endpointIds: [calm.endpoints[0].id],
        jobs: Array.from({ length: events }, (_, n) =>
          publishJob(calm.apiKey, 'neighbour', n, [calm.endpoints[0].path]),
        ),
        rate: size.rate,
        concurrency: 20,
        ceiling: null,
      });
      const jobs = [];
      for (let n = 0; n < events; n++) {
        jobs.push(publishJob(noisy.apiKey, 'neighbour', n, [noisy.endpoints[0].path]));
        jobs.push(publishJob(failing.apiKey, 'neighbour', n, []));
      }
      const beside = await measure(ctx, {
        scenario: 'neighbour-noisy',
        endpointIds: [noisy.endpoints[0].id],
        jobs,
        rate: size.rate * 2,
        concurrency: 40,
        ceiling: null,
        reportPaths: [hang.path],
      });
      // The failing endpoint goes, so its retries cannot weigh on the scenarios after this one. It is
      // paused and its open tries are cut first, so the worker has recorded them before the rows go.
      await ctx.api('PATCH', `/v1/endpoints/${hang.id}`, failing.apiKey, { status: 'paused' });
      await ctx.receiver.call('release', { scenario: 'neighbour-noisy' });
      await sleep(1000);
      await ctx.receiver.call('release', { scenario: 'neighbour-noisy' });
      await ctx.deleteEndpoint(failing.apiKey, hang.id);
      beside.failing_endpoint_attempts = beside.receiver_requests_by_path[hang.path];
      delete beside.receiver_requests_by_path;
      beside.healthy_p99_vs_alone =
        alone.latency_p99_ms && beside.latency_p99_ms
          ? Number((beside.latency_p99_ms / alone.latency_p99_ms).toFixed(2))
          : null;
      return { 'neighbour-alone': alone, 'neighbour-noisy': beside };
    },
  },

  batch: {
    title: 'POST /v1/events/batch, 100 events a request, 4 publishers, 3 endpoints',
    sizes: { quick: { requests: 3 }, full: { requests: 20 } },
    async run(ctx, size) {
      const org = await organizationWithEndpoints(ctx, 'batch', 'ok', 3);
      const probe = await ctx.api('POST', '/v1/events/batch', org.apiKey, { events: [] });
      if (probe.status === 404 || probe.status === 405) {
        ctx.log(`batch: POST /v1/events/batch answered ${probe.status}; skipped`);
        return { batch: { skipped: 'route missing' } };
      }
      const targets = org.endpoints.map((e) => e.path);
      const jobs = Array.from({ length: size.requests }, (_, r) => ({
        key: org.apiKey,
        path: '/v1/events/batch',
        body: JSON.stringify({
          events: Array.from({ length: 100 }, (_, i) => {
            const n = r * 100 + i;
            return {
              topic: TOPIC,
              data: eventData('batch', n),
              idempotencyKey: `${ctx.runId}-batch-${n}`,
            };
          }),
        }),
        events: 100,
        targets,
      }));
      return {
        batch: await measure(ctx, {
          scenario: 'batch',
          endpointIds: org.endpoints.map((e) => e.id),
          jobs,
          concurrency: 4,
          ceiling: { mode: 'ok', concurrency: inFlightCap(ctx, 3) },
        }),
      };
    },
  },

  latency: {
    title:
      '3 endpoints: the sustained rate with 20 publishers, then ingest→receipt latency at half that rate',
    sizes: {
      quick: { sustainedEvents: 600, seconds: 5 },
      full: { sustainedEvents: 2000, seconds: 20 },
    },
    async run(ctx, size) {
      // One organization a phase: the receiver counts each scenario's deliveries under its own paths.
      const phase = async (name, spec) => {
        const org = await organizationWithEndpoints(ctx, name, 'ok', 3);
        const targets = org.endpoints.map((e) => e.path);
        return measure(ctx, {
          scenario: name,
          endpointIds: org.endpoints.map((e) => e.id),
          jobs: Array.from({ length: spec.events }, (_, n) =>
            publishJob(org.apiKey, name, n, targets),
          ),
          concurrency: 20,
          rate: spec.rate,
          ceiling: null,
        });
      };
      // The rate the whole product sustains: events in, and their deliveries out.
      const sustained = await phase('latency-sustained', { events: size.sustainedEvents });
      const eventsPerS = Math.min(
        sustained.ingest_events_per_s ?? 0,
        (sustained.deliveries_per_s ?? 0) / 3,
      );
      const rate = Math.max(1, Math.floor(eventsPerS / 2));
      ctx.log(`latency: sustained ${eventsPerS.toFixed(1)} events/s; paced phase at ${rate}/s`);
      const half = await phase('latency-half', { events: rate * size.seconds, rate });
      half.sustained_events_per_s = Number(eventsPerS.toFixed(1));
      half.paced_events_per_s = rate;
      return { 'latency-sustained': sustained, 'latency-half': half };
    },
  },

  backlog: {
    title:
      'the same endpoints and workers drain a small queue, then the first deliveries of a big backlog',
    sizes: {
      quick: {
        endpoints: 10,
        warmup: 3000,
        small: 3000,
        smallRounds: 3,
        backlog: 20_000,
        measure: 5000,
        windowMs: 15_000,
      },
      full: {
        endpoints: 10,
        warmup: 3000,
        small: 5000,
        smallRounds: 3,
        backlog: 100_000,
        measure: 20_000,
        windowMs: 120_000,
      },
    },
    async run(ctx, size) {
      const org = await organizationWithEndpoints(ctx, 'backlog', 'ok', size.endpoints);
      const { endpoints } = org;
      const sql = await openSql(ctx.databaseUrl);
      // Event ids: this second's ObjectId time prefix, then a counter shared by both phases.
      const prefix = Math.floor(Date.now() / 1000)
        .toString(16)
        .padStart(8, '0');
      const make = async (from, deliveries) => {
        // Paused, so no worker starts on the rows before the drain reactivates the endpoints.
        await setStatus(ctx, org.apiKey, endpoints, 'paused');
        const began = Date.now();
        const keys = await insertDue(sql, {
          organizationId: org.organizationId,
          endpoints,
          prefix,
          from,
          events: Math.ceil(deliveries / endpoints.length),
          topic: TOPIC,
          data: { excerpt: EXCERPT, scenario: 'backlog' },
        });
        ctx.log(`backlog: ${keys.length} due deliveries made in ${Date.now() - began} ms (SQL)`);
        return keys;
      };
      const common = {
        scenario: 'backlog',
        apiKey: org.apiKey,
        endpoints,
        ceiling: { mode: 'ok', concurrency: inFlightCap(ctx, endpoints.length) },
      };
      try {
        // A first drain, not measured, so the small queue's is not the first since the workers
        // started (their sockets to the receiver, pools and caches are warm for both phases).
        const warmupKeys = await make(0, size.warmup);
        const warmup = await drain(ctx, sql, {
          ...common,
          ceiling: null,
          label: 'backlog-warmup',
          keys: warmupKeys,
          due: warmupKeys.length,
          target: warmupKeys.length,
          windowMs: ctx.limits.scenarioMs,
          stop: false,
        });
        ctx.log(`backlog: warm-up drained ${warmup.deliveries_per_s} deliveries/s (not reported)`);
        if (warmup.lost > 0 || warmup.signatures_invalid > 0 || warmup.timed_out)
          throw new Error(
            `the warm-up drain went wrong: lost ${warmup.lost}, invalid signatures ${warmup.signatures_invalid}`,
          );
        let next = warmupKeys.length / endpoints.length;
        // The small queue drains in a few seconds, so it is drained several times and the median
        // round is the figure: one stall of the shared machine does not make it.
        const rounds = [];
        for (let round = 1; round <= size.smallRounds; round++) {
          const keys = await make(next, size.small);
          next += keys.length / endpoints.length;
          rounds.push(
            await drain(ctx, sql, {
              ...common,
              label: `backlog-small round ${round}`,
              keys,
              due: keys.length,
              target: keys.length,
              windowMs: ctx.limits.scenarioMs,
              stop: false,
            }),
          );
        }
        const small = medianRound(rounds);
        const bigKeys = await make(next, size.backlog);
        const big = await drain(ctx, sql, {
          ...common,
          label: 'backlog-big',
          keys: bigKeys,
          due: bigKeys.length,
          target: Math.min(size.measure, bigKeys.length),
          windowMs: size.windowMs,
          stop: true,
        });
        big.deliveries_per_s_vs_small =
          small.deliveries_per_s && big.deliveries_per_s
            ? Number((big.deliveries_per_s / small.deliveries_per_s).toFixed(3))
            : null;
        return { 'backlog-small': small, 'backlog-big': big };
      } finally {
        // The rest of the backlog goes (deleting an endpoint deletes its deliveries and their tries),
        // so later scenarios meet the queue they would without this one. The events stay: no index
        // leads with deliveries.event_id, so deleting them would scan the deliveries once per event.
        const step = (name, work) =>
          work().catch((error) => ctx.log(`backlog: ${name} failed: ${errorText(error)}`));
        const began = Date.now();
        await step('pausing the endpoints', () => setStatus(ctx, org.apiKey, endpoints, 'paused'));
        await step('deleting the endpoints', async () => {
          for (const endpoint of endpoints) await ctx.deleteEndpoint(org.apiKey, endpoint.id);
        });
        await step('closing the connection', () => sql.end());
        ctx.log(`backlog: clean-up took ${Date.now() - began} ms`);
      }
    },
  },
};

module.exports = { SCENARIOS };
