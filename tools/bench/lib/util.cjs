'use strict';
// Small helpers shared by the benchmark's processes: clocks, percentiles, IPC calls.

/**
 * Milliseconds since the epoch with sub-millisecond resolution. Every process of the run uses it, so a
 * time taken in the publishers and one taken in the receiver can be subtracted.
 */
const now = () => performance.timeOrigin + performance.now();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of an unsorted array of numbers; null when empty. */
function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

const round = (value, digits = 1) =>
  value === null || value === undefined || !Number.isFinite(value)
    ? null
    : Number(value.toFixed(digits));

const errorText = (error) => (error instanceof Error ? error.message : String(error));

/**
 * Request/response over a child's IPC channel: each message carries a `rid`, the child answers with
 * the same `rid` and either `result` or `error`.
 */
function ipcClient(child, label) {
  let next = 0;
  const pending = new Map();
  const fail = (error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  child.on('message', (message) => {
    const waiter = message && pending.get(message.rid);
    if (!waiter) return;
    pending.delete(message.rid);
    if (message.error) waiter.reject(new Error(`${label}: ${message.error}`));
    else waiter.resolve(message.result);
  });
  child.once('exit', (code, signal) => fail(new Error(`${label} exited (${signal ?? code})`)));
  return (type, payload = {}, timeoutMs = 120_000) =>
    new Promise((resolve, reject) => {
      const rid = ++next;
      const timer = setTimeout(() => {
        pending.delete(rid);
        reject(new Error(`${label}: no answer to ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(rid, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      child.send({ ...payload, type, rid });
    });
}

/**
 * The child's side of {@link ipcClient}: runs `handlers[type]` and answers. The child exits when its
 * parent goes away (the IPC channel closes) or after `maxLifetimeMs`, whichever comes first.
 */
function serveIpc(handlers, maxLifetimeMs) {
  process.on('message', async (message) => {
    const handler = handlers[message.type];
    try {
      if (!handler) throw new Error(`unknown message ${message.type}`);
      process.send({ rid: message.rid, result: await handler(message) });
    } catch (error) {
      process.send({ rid: message.rid, error: errorText(error) });
    }
  });
  process.once('disconnect', () => process.exit(0));
  setTimeout(() => process.exit(3), maxLifetimeMs).unref();
}

module.exports = { now, sleep, percentile, round, errorText, ipcClient, serveIpc };
