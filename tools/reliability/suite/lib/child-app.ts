import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** How a child process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** When it was seen gone, ms since the epoch. */
  readonly at: number;
}

/**
 * A built app (API or worker) running as a child process, known by its PID. Its stdout and stderr go
 * to a log file, never to a pipe nobody reads (a full pipe would stall the child).
 */
export interface ChildApp {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Where its `/healthz` and `/readyz` answer. */
  readonly healthUrl: string;
  /** Resolves once the process is gone. */
  readonly exited: Promise<Exit>;
  running(): boolean;
  /** Sends `signal` to this PID (`process.kill`), unless it is already gone. */
  signal(signal: NodeJS.Signals): void;
  /** The last `lines` lines of its log, for failure messages. */
  tail(lines?: number): string;
}

/** Starts `node <main>` with exactly `env` (plus nothing inherited), its output appended to `logFile`. */
export function spawnApp(
  name: string,
  main: string,
  env: Readonly<Record<string, string>>,
  logFile: string,
  healthUrl: string,
): ChildApp {
  if (!existsSync(main)) throw new Error(`${main} is missing: build it first`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [main], { env: { ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd); // the child holds its own copy
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} did not start (no PID)`);
  let gone = false;
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      gone = true;
      resolve({ code, signal, at: Date.now() });
    }),
  );
  return {
    name,
    pid,
    logFile,
    healthUrl,
    exited,
    running: () => !gone,
    signal: (signal) => {
      if (gone) return;
      try {
        process.kill(pid, signal);
      } catch (error) {
        // Gone between its exit and the 'exit' event; anything else is a real failure.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    },
    tail: (lines = 20) =>
      readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n'),
  };
}

/** Resolves once `app` answers 200 on `/readyz`; throws with its log tail if it exits or takes too long. */
export async function untilReady(app: ChildApp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (app.running()) {
    try {
      const response = await fetch(`${app.healthUrl}/readyz`, {
        signal: AbortSignal.timeout(2_000),
      });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) break;
    await sleep(100);
  }
  const why = app.running() ? `was not ready within ${timeoutMs} ms` : 'exited before it was ready';
  throw new Error(`${app.name} (pid ${app.pid}) ${why}:\n${app.tail()}`);
}

/**
 * SIGTERM, then SIGKILL when the process is still there after `graceMs`; resolves with how it ended.
 */
export async function stopApp(app: ChildApp, graceMs = 15_000): Promise<Exit> {
  app.signal('SIGTERM');
  const timer = setTimeout(() => app.signal('SIGKILL'), graceMs);
  const exit = await app.exited;
  clearTimeout(timer);
  return exit;
}

/** SIGKILL by PID; resolves once the process is gone. */
export async function killApp(app: ChildApp): Promise<Exit> {
  app.signal('SIGKILL');
  return app.exited;
}
