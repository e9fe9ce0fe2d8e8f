'use strict';
// The guard process: knows the pids of the API and the workers, and stops them (SIGTERM, then SIGKILL
// after 5 s) when bench.cjs goes away without doing so (its IPC channel closes) or when the run's
// deadline passes. It only ever signals the pids it was given.
const deadlineMs = Number(process.env.BENCH_CHILD_LIFETIME_MS) || 20 * 60_000;
const pids = new Set();

function stopAll() {
  if (pids.size === 0) process.exit(0);
  for (const pid of pids) signal(pid, 'SIGTERM');
  setTimeout(() => {
    for (const pid of pids) signal(pid, 'SIGKILL');
    process.exit(0);
  }, 5_000);
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch {
    pids.delete(pid); // already gone
  }
}

process.on('message', (message) => {
  if (message.type === 'watch') pids.add(message.pid);
  if (message.type === 'unwatch') pids.delete(message.pid);
  if (message.type === 'exit') process.exit(0);
});
process.once('disconnect', stopAll);
setTimeout(stopAll, deadlineMs);
process.send({ ready: true });
