'use strict';
// The processes of a run: Hookyard as a user starts it (the built API and worker apps), the
// benchmark's own children (receiver, publishers, guard), and what /proc says about each of them.
const { fork, spawn } = require('node:child_process');
const { closeSync, openSync, readFileSync, statSync } = require('node:fs');
const { get } = require('node:http');
const { createServer } = require('node:net');
const { join } = require('node:path');
const { ipcClient, sleep } = require('./util.cjs');

const ROOT = join(__dirname, '..', '..', '..');
const API_MAIN = join(ROOT, 'apps', 'api', 'dist', 'main.js');
const WORKER_MAIN = join(ROOT, 'apps', 'worker', 'dist', 'main.js');

/** A TCP port free on 127.0.0.1 right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** GET url; resolves with the status, or 0 when nothing answers. */
function status(url) {
  return new Promise((resolve) => {
    const req = get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(0));
  });
}

/** The environment the apps get: the caller's minus Hookyard's own variables, plus `settings`. */
function appEnv(settings) {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(HOOKYARD_|DATABASE_URL$|PORT$|HOST$|TEST_DATABASE_URL$|BENCH_)/.test(name)) continue;
    env[name] = value;
  }
  return { ...env, NO_COLOR: '1', ...settings };
}

/**
 * Starts `node [nodeArgs] <main>` with its output in `logFile`; resolves once `readyUrl` answers 200.
 * Fails when the process exits first or is not ready within `timeoutMs`.
 */
async function startApp({ label, main, env, nodeArgs, logFile, readyUrl, timeoutMs = 60_000 }) {
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, main], {
    cwd: ROOT,
    env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let exited = null;
  child.once('exit', (code, signal) => (exited = signal ?? code));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== null)
      throw new Error(
        `${label} exited (${exited}) before it was ready; log ${logFile}${tail(logFile)}`,
      );
    if ((await status(readyUrl)) === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${label} not ready within ${timeoutMs} ms; log ${logFile}${tail(logFile)}`);
    }
    await sleep(100);
  }
  return { label, child, pid: child.pid, logFile, exited: () => exited };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
function stopProcess(child, graceMs) {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve(child.signalCode ?? child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ?? code);
    });
    child.kill('SIGTERM');
  });
}

/** Forks one of the benchmark's own children (receiver, publishers, guard) and waits for its ready message. */
async function forkChild(label, file, lifetimeMs, logFile) {
  const fd = openSync(logFile, 'a');
  const child = fork(join(__dirname, file), [], {
    cwd: ROOT,
    env: { ...process.env, BENCH_CHILD_LIFETIME_MS: String(lifetimeMs) },
    stdio: ['ignore', fd, fd, 'ipc'],
  });
  closeSync(fd);
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start`)), 20_000);
    child.once('exit', (code) => reject(new Error(`${label} exited (${code}); log ${logFile}`)));
    child.on('message', function onReady(message) {
      if (!message || !message.ready) return;
      child.off('message', onReady);
      clearTimeout(timer);
      resolve(message);
    });
  });
  return { label, child, pid: child.pid, ready, call: ipcClient(child, label) };
}

function tail(file, lines = 15) {
  try {
    const text = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    return text ? `\n${text}` : '';
  } catch {
    return '';
  }
}

const TICKS_PER_S = 100; // USER_HZ on Linux

/** Resident set size now and at its peak (MB) and CPU seconds used so far; null once the process is gone. */
function procStats(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => {
      const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
      return match ? Number(match[1]) / 1024 : null;
    };
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S; // utime + stime
    return { rssMb: kb('VmRSS'), hwmMb: kb('VmHWM'), cpuS: cpu };
  } catch {
    return null;
  }
}

/**
 * Samples every process's VmRSS every `everyMs` between start() and stop(); stop() gives, per label,
 * the peak RSS seen and the CPU seconds used in between.
 */
function rssWindow(processes, everyMs = 200) {
  const peak = new Map();
  const cpuAtStart = new Map();
  const sample = () => {
    for (const { label, pid } of processes()) {
      const stats = procStats(pid);
      if (!stats) continue;
      if (!cpuAtStart.has(label)) cpuAtStart.set(label, stats.cpuS);
      peak.set(label, Math.max(peak.get(label) ?? 0, stats.rssMb ?? 0));
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const result = {};
      for (const { label, pid } of processes()) {
        const stats = procStats(pid);
        result[label] = {
          peak_rss_mb: peak.has(label) ? Number(peak.get(label).toFixed(1)) : null,
          cpu_s:
            stats && cpuAtStart.has(label)
              ? Number((stats.cpuS - cpuAtStart.get(label)).toFixed(2))
              : null,
        };
      }
      return result;
    },
  };
}

/**
 * The level of one log line: a pino JSON line's `level` (its label, or pino's number), else the
 * WARN / ERROR of a text line (pino-pretty's, or what a process printed before its logger).
 */
function levelOf(line) {
  if (line.startsWith('{')) {
    try {
      const { level } = JSON.parse(line);
      if (typeof level === 'number') return level >= 50 ? 'error' : level >= 40 ? 'warn' : 'other';
      if (level === 'error' || level === 'fatal') return 'error';
      return level === 'warn' ? 'warn' : 'other';
    } catch {
      // not JSON after all: read it as text
    }
  }
  if (/\b(ERROR|FATAL)\b/.test(line)) return 'error';
  return /\bWARN\b/.test(line) ? 'warn' : 'other';
}

/** Warning and error lines the apps wrote to `file` after byte `from`. */
function logCounts(file, from = 0) {
  try {
    const size = statSync(file).size;
    const text = readFileSync(file).subarray(from).toString('utf8');
    const lines = text.split('\n');
    const warn = lines.filter((l) => levelOf(l) === 'warn');
    const error = lines.filter((l) => levelOf(l) === 'error');
    return {
      size,
      warnings: warn.length,
      errors: error.length,
      samples: [...error, ...warn].slice(0, 3),
    };
  } catch {
    return { size: from, warnings: 0, errors: 0, samples: [] };
  }
}

module.exports = {
  API_MAIN,
  WORKER_MAIN,
  ROOT,
  appEnv,
  forkChild,
  freePort,
  logCounts,
  procStats,
  rssWindow,
  startApp,
  stopProcess,
};
