'use strict';
// The receiver process: a node:http server on 127.0.0.1 that every endpoint of the run points at.
//
// The path names the scenario and how to answer: /<scenario>/<mode>/<name>, mode one of
//   ok          200 at once
//   slow-<ms>   200 after <ms> milliseconds
//   status-<n>  status <n> at once
//   hang        never answers (the request stays open until the controller releases it, at most 60 s)
// It verifies the Standard Webhooks signature of every request with node:crypto and, for one request
// in SDK_SAMPLE, with the `standardwebhooks` package as well, and records per scenario the first receipt
// time of each (path, webhook-id) answered 2xx, the repeats, and the most requests in flight.
//
// Started by bench.cjs with an IPC channel; exits when the channel closes or after its lifetime.
const { createServer } = require('node:http');
const { createHmac, timingSafeEqual } = require('node:crypto');
const { Webhook } = require('standardwebhooks');
const { now, serveIpc } = require('./util.cjs');

const SDK_SAMPLE = 20;
const TOLERANCE_S = 300;
const HANG_MAX_MS = 60_000;
const lifetimeMs = Number(process.env.BENCH_CHILD_LIFETIME_MS) || 20 * 60_000;

const secrets = new Map(); // path -> { key: Buffer, sdk: Webhook }
const scenarios = new Map(); // scenario -> state
let requestsSeen = 0;

function scenario(name) {
  let state = scenarios.get(name);
  if (!state) {
    state = {
      first: new Map(), // `${path}|${webhook-id}` -> receipt time
      receipts2xx: 0,
      requests: 0,
      requestsByPath: new Map(),
      inFlight: 0,
      maxInFlight: 0,
      inFlightById: new Map(),
      maxConcurrentPerId: 0,
      sigChecked: 0,
      sdkChecked: 0,
      sigInvalid: 0,
      invalidSamples: [],
      sample: null, // the first delivery: { path, headers, body }
      bodyBytes: 0,
      expected: null, // Set of keys, or a count when ids are unknown
      expectedSeen: 0,
      lastNewAt: 0,
      hung: new Set(),
    };
    scenarios.set(name, state);
  }
  return state;
}

/** Why a request's signature does not verify, or null when it does. */
function verify(path, headers, body) {
  const secret = secrets.get(path);
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signature = headers['webhook-signature'];
  if (!secret) return 'no secret registered for the path';
  if (!id || !timestamp || !signature) return 'missing webhook-* header';
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_S)
    return `timestamp ${timestamp} outside ±${TOLERANCE_S} s`;
  const expected = createHmac('sha256', secret.key)
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest();
  const match = signature.split(' ').some((entry) => {
    const [version, value] = entry.split(',');
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!match) return 'no v1 signature matches';
  if (++requestsSeen % SDK_SAMPLE === 1) {
    try {
      secret.sdk.verify(body, headers);
    } catch (error) {
      return `standardwebhooks: ${error instanceof Error ? error.message : String(error)}`;
    }
    return 'sdk-ok';
  }
  return null;
}

function handle(request, response) {
  const arrived = now();
  const path = (request.url ?? '/').split('?')[0];
  const [, name = 'unknown', mode = 'ok'] = path.split('/');
  const state = scenario(name);
  state.requests++;
  state.requestsByPath.set(path, (state.requestsByPath.get(path) ?? 0) + 1);
  state.inFlight++;
  if (state.inFlight > state.maxInFlight) state.maxInFlight = state.inFlight;
  const key = `${path}|${request.headers['webhook-id'] ?? ''}`;
  const concurrent = (state.inFlightById.get(key) ?? 0) + 1;
  state.inFlightById.set(key, concurrent);
  if (concurrent > state.maxConcurrentPerId) state.maxConcurrentPerId = concurrent;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    state.inFlight--;
    const left = (state.inFlightById.get(key) ?? 1) - 1;
    if (left <= 0) state.inFlightById.delete(key);
    else state.inFlightById.set(key, left);
  };
  response.once('close', finish);

  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.once('error', () => response.destroy());
  request.once('end', () => {
    const body = Buffer.concat(chunks);
    state.bodyBytes += body.length;
    const problem = verify(path, request.headers, body);
    state.sigChecked++;
    if (problem === 'sdk-ok') state.sdkChecked++;
    else if (problem) {
      state.sigInvalid++;
      if (state.invalidSamples.length < 5) state.invalidSamples.push(`${path}: ${problem}`);
    }
    if (!state.sample && mode !== 'hang')
      state.sample = { path, headers: pickHeaders(request.headers), body: body.toString('utf8') };

    const answers2xx = mode === 'ok' || mode.startsWith('slow-');
    if (answers2xx) {
      state.receipts2xx++;
      if (!state.first.has(key)) {
        state.first.set(key, arrived);
        if (state.expected instanceof Set ? state.expected.has(key) : state.expected !== null) {
          state.expectedSeen++;
          state.lastNewAt = arrived;
        }
      }
    }
    if (mode === 'ok') response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    else if (mode.startsWith('slow-')) {
      const delay = Number(mode.slice(5)) || 0;
      setTimeout(() => response.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), delay);
    } else if (mode.startsWith('status-')) {
      response.writeHead(Number(mode.slice(7)) || 500, { 'content-type': 'text/plain' }).end('no');
    } else if (mode === 'hang') {
      state.hung.add(response);
      response.once('close', () => state.hung.delete(response));
      setTimeout(() => response.destroy(), HANG_MAX_MS).unref();
    } else response.writeHead(404).end();
  });
}

/** The headers a delivery carries that the ceiling's requests repeat. */
function pickHeaders(headers) {
  const keep = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('webhook-') || name === 'content-type' || name === 'user-agent')
      keep[name] = value;
  }
  return keep;
}

const server = createServer({ keepAliveTimeout: 30_000 }, handle);

serveIpc(
  {
    /** entries: [[path, whsec_ secret]] */
    secrets({ entries }) {
      for (const [path, secret] of entries) {
        secrets.set(path, {
          key: Buffer.from(secret.slice('whsec_'.length), 'base64'),
          sdk: new Webhook(secret),
        });
      }
      return secrets.size;
    },
    /** Which pairs the scenario waits for: `keys`, or just a `count` of new pairs when ids are unknown. */
    expect({ scenario: name, keys, count }) {
      const state = scenario(name);
      if (keys) {
        state.expected = new Set(keys);
        state.expectedSeen = 0;
        for (const [key, at] of state.first) {
          if (!state.expected.has(key)) continue;
          state.expectedSeen++;
          if (at > state.lastNewAt) state.lastNewAt = at;
        }
      } else {
        state.expected = count;
        state.expectedSeen = state.first.size;
        for (const at of state.first.values()) if (at > state.lastNewAt) state.lastNewAt = at;
      }
      return { seen: state.expectedSeen };
    },
    progress({ scenario: name }) {
      const state = scenario(name);
      return { seen: state.expectedSeen, lastNewAt: state.lastNewAt, requests: state.requests };
    },
    /** Everything recorded for a scenario; `first` as [key, time] pairs. */
    collect({ scenario: name }) {
      const state = scenario(name);
      return {
        first: [...state.first],
        receipts2xx: state.receipts2xx,
        requests: state.requests,
        requestsByPath: Object.fromEntries(state.requestsByPath),
        maxInFlight: state.maxInFlight,
        maxConcurrentPerId: state.maxConcurrentPerId,
        sigChecked: state.sigChecked,
        sdkChecked: state.sdkChecked,
        sigInvalid: state.sigInvalid,
        invalidSamples: state.invalidSamples,
        sample: state.sample,
        bodyBytes: state.bodyBytes,
      };
    },
    /** Closes the requests a `hang` path holds open. */
    release({ scenario: name }) {
      const state = scenario(name);
      const count = state.hung.size;
      for (const response of state.hung) response.destroy();
      return count;
    },
    /** Frees a finished scenario's memory. */
    forget({ scenario: name }) {
      scenarios.delete(name);
      return true;
    },
  },
  lifetimeMs,
);

server.listen(0, '127.0.0.1', () => process.send({ ready: true, port: server.address().port }));
