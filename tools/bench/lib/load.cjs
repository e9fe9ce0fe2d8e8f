'use strict';
// The publishers' process: sends the events of a scenario to the API, and measures the raw ceiling
// (the same body POSTed straight to the receiver, no database). Keep-alive node:http clients only.
//
// Started by bench.cjs with an IPC channel; exits when the channel closes or after its lifetime.
const { Agent, request } = require('node:http');
const { now, percentile, round, serveIpc, sleep } = require('./util.cjs');

const lifetimeMs = Number(process.env.BENCH_CHILD_LIFETIME_MS) || 20 * 60_000;

/** One POST; resolves with { status, text } or rejects on a network error or timeout. */
function post(agent, url, headers, body, timeoutMs) {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(body);
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': payload.length },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.once('end', () =>
          resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.once('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', reject);
    req.end(payload);
  });
}

/** The event ids of a publish response: `{id}` for one event, an array of `{id}` for a batch. */
function eventIds(json) {
  if (!json || typeof json !== 'object') return [];
  if (typeof json.id === 'string') return [json.id];
  const list = Array.isArray(json)
    ? json
    : [json.events, json.data, json.results, json.items].find(Array.isArray);
  if (!list) return [];
  return list
    .map((entry) => entry && (entry.id ?? entry.eventId))
    .filter((id) => typeof id === 'string');
}

/**
 * Sends `jobs` ({ key, path, body, tag }) to the API. Closed loop with `concurrency` publishers, or,
 * with `rate`, one job every 1/rate s (at most `concurrency` in flight).
 */
async function publish({ baseUrl, jobs, concurrency, rate, timeoutMs }) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const results = new Array(jobs.length);
  const send = async (index) => {
    const job = jobs[index];
    const startedAt = now();
    const headers = { authorization: `Bearer ${job.key}`, 'content-type': 'application/json' };
    try {
      const { status, text } = await post(
        agent,
        `${baseUrl}${job.path}`,
        headers,
        job.body,
        timeoutMs,
      );
      const respondedAt = now();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      const ok = status >= 200 && status < 300;
      results[index] = {
        status,
        startedAt,
        respondedAt,
        ids: ok ? eventIds(json) : [],
        detail: ok ? undefined : text.slice(0, 300),
      };
    } catch (error) {
      results[index] = {
        status: 0,
        startedAt,
        respondedAt: now(),
        ids: [],
        detail: error instanceof Error ? error.message : String(error),
      };
    }
  };
  const startedAt = now();
  if (rate) {
    const inFlight = new Set();
    for (let i = 0; i < jobs.length; i++) {
      const due = startedAt + (i * 1000) / rate;
      const wait = due - now();
      if (wait > 0) await sleep(wait);
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      const running = send(i).finally(() => inFlight.delete(running));
      inFlight.add(running);
    }
    await Promise.all(inFlight);
  } else {
    let next = 0;
    const publisher = async () => {
      while (next < jobs.length) await send(next++);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, publisher));
  }
  const endedAt = now();
  agent.destroy();
  return { startedAt, endedAt, results };
}

/**
 * Keep-alive POSTs of one body to one URL at `concurrency` for `durationMs` after a warm-up. The time is
 * cut into `windows` equal windows and the rate is their median, so one stall of this shared machine
 * does not make the ceiling.
 */
async function ceiling({ url, headers, body, concurrency, durationMs, warmupMs, windows = 3 }) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  const perWindow = new Array(windows).fill(0);
  const windowMs = durationMs / windows;
  let errors = 0;
  let from = Infinity;
  let stopAt = Infinity;
  const client = async () => {
    while (now() < stopAt) {
      const started = now();
      try {
        const { status } = await post(agent, url, headers, body, 10_000);
        const done = now();
        if (done < from || done > stopAt) continue; // counted by completion time: steady state only
        if (status >= 200 && status < 300) {
          perWindow[Math.min(windows - 1, Math.floor((done - from) / windowMs))]++;
          latencies.push(done - started);
        } else errors++;
      } catch {
        const done = now();
        if (done >= from && done <= stopAt) errors++;
      }
    }
  };
  const clients = Array.from({ length: concurrency }, client);
  await sleep(warmupMs);
  from = now();
  stopAt = from + durationMs;
  await Promise.all(clients);
  agent.destroy();
  const rates = perWindow.map((count) => round(count / (windowMs / 1000)));
  return {
    requests: perWindow.reduce((a, b) => a + b, 0),
    errors,
    seconds: round(durationMs / 1000, 3),
    requests_per_s: round(percentile(rates, 50)),
    window_requests_per_s: rates,
    latency_p50_ms: round(percentile(latencies, 50), 2),
    latency_p99_ms: round(percentile(latencies, 99), 2),
  };
}

serveIpc({ publish, ceiling }, lifetimeMs);
process.send({ ready: true });
