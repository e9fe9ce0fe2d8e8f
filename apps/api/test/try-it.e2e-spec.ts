import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Writable } from 'node:stream';
import { freePort } from '@hookyard/data-access';
import { generateSecret, signPayload } from '@hookyard/webhook-core';
import { eventually } from './harness';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(__dirname, '..', 'dist', 'cli.js');

/** The README's five commands, run as written on a fresh data directory and free ports. */
describe('README "Try it on your machine"', () => {
  let dataDir: string;
  let apiPort: number;
  let listenPort: number;
  let server: Terminal;
  let shell: Terminal;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hookyard-try-it-'));
    chmodSync(dataDir, 0o755); // run as root, the embedded PostgreSQL's `postgres` user must pass through
    [apiPort, listenPort] = await twoFreePorts();
    const env = laptopEnv({ HOOKYARD_DATA_DIR: dataDir, PORT: String(apiPort) });
    server = new Terminal(env);
    shell = new Terminal(env);
  });

  afterAll(async () => {
    await Promise.all([shell?.stop(), server?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('starts Hookyard, makes a key, and the listener prints a verified post.created', async () => {
    const commands = tryItCommands(readFileSync(join(ROOT, 'README.md'), 'utf8')).map((command) =>
      command.replace(/\b3000\b/g, String(apiPort)).replace(/\b4000\b/g, String(listenPort)),
    );
    expect(commands).toHaveLength(5);
    const [start, exportKey, listen, createEndpoint, publish] = commands as [
      string,
      string,
      string,
      string,
      string,
    ];
    expect(start).toBe('npm run start:local');

    server.type(start);
    await eventually(async () => {
      const ready = await fetch(`http://127.0.0.1:${apiPort}/readyz`).then(
        (response) => response.ok,
        () => false,
      );
      if (!ready)
        throw new Error(`/readyz does not answer yet; the first terminal:\n${server.output}`);
    }, 120_000);
    expect(server.output).toContain('local mode: plain http allowed');

    await shell.run(exportKey);
    await shell.run(listen);
    await shell.waitFor(`listening on http://127.0.0.1:${listenPort}/`);
    expect(await shell.run(createEndpoint)).toBe(0);
    expect(shell.output).toContain(`"url":"http://127.0.0.1:${listenPort}/"`);
    expect(await shell.run(publish)).toBe(0);
    expect(shell.output).toContain('"deliveries":1');

    await shell.waitFor(
      /\d\d:\d\d:\d\d post\.created msg [0-9a-f]{24} signature verified \(endpoint [0-9a-f]{24}\)\n {2}\{\n {4}"type": "post\.created"/,
    );
  }, 180_000);

  it('prints "signature NOT verified" for a message signed with another secret', async () => {
    const body = JSON.stringify({
      type: 'post.created',
      timestamp: new Date().toISOString(),
      data: { forged: true },
    });
    const headers = signPayload({
      id: 'msg_forged',
      timestamp: Math.floor(Date.now() / 1000),
      body,
      secrets: [generateSecret()],
    });
    const response = await fetch(`http://127.0.0.1:${listenPort}/`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(200);
    await shell.waitFor(
      'post.created msg msg_forged signature NOT verified: No signature matches any secret',
    );
  }, 30_000);
});

describe('hookyard listen', () => {
  it('refuses to start without a key (exit 2) and stops on SIGINT with exit 0', async () => {
    const env = laptopEnv({});
    const keyless = spawn(process.execPath, [CLI, 'listen'], { env, stdio: 'pipe' });
    const keylessOutput = collect(keyless);
    expect(await exitCode(keyless)).toBe(2);
    expect(keylessOutput()).toContain('hookyard listen: an API key is needed');

    const port = await freePort();
    const listener = spawn(process.execPath, [CLI, 'listen', '--port', String(port)], {
      env: { ...env, HOOKYARD_API_KEY: 'hk_not_checked_until_a_message_comes' },
      stdio: 'pipe',
    });
    const output = collect(listener);
    const exited = exitCode(listener);
    await eventually(() => expect(output()).toContain(`listening on http://127.0.0.1:${port}/`));
    listener.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 30_000);
});

/**
 * The commands of the sh block under "## Try it on your machine": comments dropped, a command
 * continued with `\` kept whole.
 */
function tryItCommands(readme: string): string[] {
  const section = readme.split(/^## /m).find((part) => part.startsWith('Try it on your machine\n'));
  const block = /```sh\n([\s\S]*?)```/.exec(section ?? '')?.[1];
  if (block === undefined) throw new Error('README.md: no sh block under "Try it on your machine"');
  const commands: string[] = [];
  let continued = false;
  for (const line of block.split('\n')) {
    if (!continued && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    if (continued) commands[commands.length - 1] += `\n${line}`;
    else commands.push(line);
    continued = line.endsWith('\\');
  }
  return commands;
}

/** The tests' environment as a laptop's shell has it: no database URL, no Hookyard settings. */
function laptopEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(DATABASE_URL|TEST_DATABASE_URL|NODE_ENV|HOOKYARD_.*)$/.test(name),
    ),
  );
  return { ...env, ...extra };
}

async function twoFreePorts(): Promise<[number, number]> {
  const first = await freePort();
  for (;;) {
    const second = await freePort();
    if (second !== first) return [first, second];
  }
}

/**
 * A bash in the repository root, in its own process group, that runs what is typed into it, as a
 * terminal does. Each command gets an empty stdin, so none can read the commands typed after it.
 */
class Terminal {
  private readonly child: ChildProcess;
  private readonly commands: Writable;
  private text = '';
  private steps = 0;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn('bash', ['-s'], { cwd: ROOT, env, detached: true, stdio: 'pipe' });
    this.commands = this.child.stdin as Writable;
    this.child.stdout?.on('data', (chunk: Buffer) => (this.text += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.text += chunk.toString()));
  }

  /** Everything the terminal printed so far (stdout and stderr). */
  get output(): string {
    return this.text;
  }

  /** Types a command and does not wait for it. */
  type(command: string): void {
    this.commands.write(`{\n${command}\n} </dev/null\n`);
  }

  /** Types a command and resolves with its exit status once it is done (at once after a trailing `&`). */
  async run(command: string, timeoutMs = 60_000): Promise<number> {
    const done = `__step_${++this.steps}_done`;
    this.type(`${command}\nprintf '\\n${done} %s\\n' $?`); // on a line of its own: curl ends without one
    let status = Number.NaN;
    await eventually(() => {
      const match = new RegExp(`^${done} (\\d+)$`, 'm').exec(this.text);
      if (!match) throw new Error(`still running: ${command}\n${this.text}`);
      status = Number(match[1]);
    }, timeoutMs);
    return status;
  }

  async waitFor(expected: string | RegExp, timeoutMs = 30_000): Promise<void> {
    await eventually(() => expect(this.text).toMatch(expected), timeoutMs);
  }

  /** SIGTERM to the whole process group, SIGKILL if some of it is still there after 20 s. */
  async stop(): Promise<void> {
    if (this.child.pid === undefined) return; // it never started
    const group = -this.child.pid;
    if (!signalGroup(group, 'SIGTERM')) return;
    try {
      await eventually(() => expect(signalGroup(group, 0)).toBe(false), 20_000);
    } catch {
      signalGroup(group, 'SIGKILL');
    }
  }
}

/** Sends a signal to a process group; false when no process of it is left. */
function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(group, signal);
    return true;
  } catch {
    return false;
  }
}

function collect(child: ChildProcess): () => string {
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
