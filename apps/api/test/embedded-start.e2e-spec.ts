import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from '@hookyard/data-access';
import { endpointBody, eventually } from './harness';
import { Receiver } from './receiver';
import {
  bareEnv,
  BOOTSTRAP_KEY,
  collect,
  serverEnv,
  spawnServer,
  startServer,
  type ServerProcess,
} from './server-process';
import { ledgerFigures, printFigures } from './worker-process';

const CLI = join(__dirname, '..', '..', '..', 'tools', 'scripts', 'hookyard.cjs');

/** `npm start` on the embedded PostgreSQL, as a new user meets it: bad directories, restarts, the CLI. */
describe('npm start on the embedded PostgreSQL', () => {
  let cwd: string;
  let port: number;
  const running: ServerProcess[] = [];

  beforeEach(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'hookyard-embedded-'));
    chmodSync(cwd, 0o755); // run as root, PostgreSQL's `postgres` user must pass through
    port = await freePort();
  });

  afterEach(async () => {
    for (const server of running.splice(0)) await server.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  const start = async (env: Record<string, string> = {}) => {
    const server = await startServer(cwd, { ...serverEnv(port), ...env });
    running.push(server);
    return server;
  };
  const api = (path: string, body?: unknown) =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${BOOTSTRAP_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const endpointCount = async () =>
    ((await (await api('/v1/endpoints')).json()) as { data: unknown[] }).data.length;
  const exitOf = async (env: Record<string, string>) => {
    const child = spawnServer(cwd, { ...serverEnv(port), ...env });
    const output = collect(child);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { code, output: output().trim() };
  };

  it('answers one clear line and exit code 1 when the data directory cannot be written', async () => {
    writeFileSync(join(cwd, 'a-file'), '');
    const { code, output } = await exitOf({ HOOKYARD_DATA_DIR: join(cwd, 'a-file', 'data') });
    expect(code).toBe(1);
    expect(output.split('\n')).toEqual([
      expect.stringMatching(
        /^hookyard: cannot write the data directory .*a-file\/data \(ENOTDIR\): set HOOKYARD_DATA_DIR to a writable directory$/,
      ),
    ]);
  }, 60_000);

  it('refuses a second start on the same data directory in one line, leaving the first alone', async () => {
    const first = await start();
    expect((await api('/v1/endpoints', endpointBody())).status).toBe(201);
    const { code, output } = await exitOf({ PORT: String(await freePort()) });
    expect(code).toBe(1);
    expect(output.split('\n')).toEqual([
      `hookyard: Hookyard (pid ${first.pid}) is already running on ${join(cwd, '.hookyard')}: stop it first, or set HOOKYARD_DATA_DIR to another directory`,
    ]);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect(await endpointCount()).toBe(1);
  }, 60_000);

  it('restarts with its data after a SIGKILL, and after PostgreSQL was killed with it', async () => {
    const first = await start();
    expect((await api('/v1/endpoints', endpointBody())).status).toBe(201);
    await first.kill(); // PostgreSQL outlives it: the next start stops that one and starts afresh
    running.splice(running.indexOf(first), 1);

    const second = await start();
    expect(await endpointCount()).toBe(1);
    expect(second.output()).not.toMatch(/"level":"(warn|error|fatal)"|WARN|ERROR/);
    const pgdata = join(cwd, '.hookyard', 'pgdata');
    const postmaster = Number(readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
    await second.kill();
    running.splice(running.indexOf(second), 1);
    process.kill(postmaster, 'SIGKILL'); // a crash of both: a stale postmaster.pid and crash recovery
    await eventually(() => expect(() => process.kill(postmaster, 0)).toThrow(), 10_000);

    await start();
    expect(await endpointCount()).toBe(1);
    expect(readFileSync(join(pgdata, 'postgres.log'), 'utf8')).toContain(
      'database system was interrupted',
    );
  }, 120_000);

  it('delivers 2,000 events from 20 publishers to 3 endpoints once each while org create runs five times', async () => {
    const receiver = await new Receiver().start();
    try {
      const server = await start();
      const paths = ['/ok?a', '/ok?b', '/ok?c'];
      for (const path of paths)
        expect((await api('/v1/endpoints', endpointBody({ url: receiver.url(path) }))).status).toBe(
          201,
        );

      const statuses = new Map<number, number>();
      const ids: string[] = [];
      let next = 0;
      const publisher = async () => {
        for (let n = next++; n < 2000; n = next++) {
          const response = await api('/v1/events', { topic: 'post.created', data: { n } });
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status === 202) ids.push(((await response.json()) as { id: string }).id);
        }
      };
      const cli = async () => {
        const results: string[] = [];
        for (let i = 0; i < 5; i++) {
          const { stdout } = await promisify(execFile)(
            process.execPath,
            [CLI, 'org', 'create', '--name', `cli-${i}`],
            { cwd, env: bareEnv({}) },
          );
          results.push(stdout.trim());
          await sleep(400);
        }
        return results;
      };
      const [created] = await Promise.all([
        cli(),
        ...Array.from({ length: 20 }, () => publisher()),
      ]);

      expect([...statuses.keys()]).toEqual([202]);
      expect(created).toHaveLength(5);
      for (const line of created)
        expect(JSON.parse(line)).toEqual({
          organizationId: expect.stringMatching(/^[0-9a-f]{24}$/) as string,
          apiKey: expect.stringMatching(/^hk_/) as string,
        });
      await receiver.waitFor(
        () => paths.every((path) => ledgerFigures(receiver, path, ids).lost === 0),
        120_000,
      );
      const figures = paths.map((path) => ledgerFigures(receiver, path, ids));
      printFigures('embedded start, 2000 events x 3 endpoints, 20 publishers', figures);
      for (const figure of figures) expect(figure).toMatchObject({ lost: 0, duplicates: 0 });
      expect(server.output()).not.toMatch(/"level":"(warn|error|fatal)"|WARN|ERROR/);
    } finally {
      await receiver.stop();
    }
  }, 240_000);
});
