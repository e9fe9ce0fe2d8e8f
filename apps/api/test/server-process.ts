import { setTimeout as sleep } from 'node:timers/promises';
import { type ChildProcess, spawn } from 'node:child_process';
import { NO_RATE_LIMITS } from './harness';
import { MAIN } from './worker-process';

/** `npm start`'s entry point (the built server) running in a directory of its own. */
export interface ServerProcess {
  readonly pid: number;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code (SIGKILL after 20 s). */
  stop(): Promise<number | null>;
  /** Sends SIGKILL to the server alone (not to what it started) and resolves once it is gone. */
  kill(): Promise<void>;
}

export const BOOTSTRAP_KEY = 'hk_bare_machine_key_0123456789abcdef';

/** What the tests of a bare start set: a port, the bootstrap key, and delivery to 127.0.0.1. */
export function serverEnv(port: number): Record<string, string> {
  return {
    PORT: String(port),
    HOOKYARD_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY,
    HOOKYARD_REQUIRE_HTTPS: 'false',
    HOOKYARD_OUTBOUND_ALLOW: '127.0.0.1/32',
    HOOKYARD_POLL_INTERVAL_MS: '50',
    ...NO_RATE_LIMITS,
  };
}

/** The environment of a bare machine: nothing but PATH, and what the test names. */
export function bareEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '', ...env };
}

/** Runs the built server in `cwd` with a bare environment plus `env`. */
export function spawnServer(cwd: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [MAIN], {
    cwd,
    env: bareEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Starts the server and resolves once it prints its docs URL; throws with its output if it exits first. */
export async function startServer(
  cwd: string,
  env: Record<string, string>,
): Promise<ServerProcess> {
  const child = spawnServer(cwd, env);
  const output = collect(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  while (!output().includes('API docs:')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not start:\n${output()}`);
    }
    await sleep(50);
  }
  return {
    pid: child.pid ?? 0,
    output,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Everything a child writes to stdout and stderr, as it comes. */
export function collect(child: ChildProcess): () => string {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return () => output;
}
