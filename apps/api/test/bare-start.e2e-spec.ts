import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { freePort } from '@hookyard/data-access';
import { endpointBody } from './harness';
import { Receiver } from './receiver';
import { BOOTSTRAP_KEY as KEY, serverEnv, startServer } from './server-process';

/** What `npm start` runs, on a bare machine: no DATABASE_URL, no encryption key, a fresh directory. */
describe('npm start on a bare machine (embedded PostgreSQL)', () => {
  let cwd: string;
  let receiver: Receiver;
  let port: number;

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'hookyard-bare-'));
    chmodSync(cwd, 0o755); // like a project directory: run as root, PostgreSQL's user passes through
    receiver = await new Receiver().start();
    port = await freePort();
  });

  afterAll(async () => {
    await receiver?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('starts the API and the worker, delivers a signed event, stops on SIGTERM and keeps its data', async () => {
    const first = await startServer(cwd, serverEnv(port));
    try {
      expect(first.output()).toContain('embedded PostgreSQL: data in');
      expect(first.output()).toContain('generated the encryption key');
      expect(first.output()).toContain(`API docs: http://localhost:${port}/docs`);
      expect(statSync(join(cwd, '.hookyard', 'encryption.key')).mode & 0o077).toBe(0);

      const api = (path: string, body?: unknown) =>
        fetch(`http://127.0.0.1:${port}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      const created = await api(
        '/v1/endpoints',
        endpointBody({ url: receiver.url('/ok?bare'), topics: ['post.created'] }),
      );
      expect(created.status).toBe(201);
      const endpoint = (await created.json()) as { id: string; secret: string };
      const published = await api('/v1/events', { topic: 'post.created', data: { n: 1 } });
      expect(published.status).toBe(202);

      await receiver.waitFor((ledger) => ledger.some((r) => r.path === '/ok?bare'), 30_000);
      const [receipt] = receiver.receipts('/ok?bare');
      const headers = Object.fromEntries(
        Object.entries(receipt.headers).map(([name, value]) => [name, String(value)]),
      );
      expect(new Webhook(endpoint.secret).verify(receipt.body, headers)).toMatchObject({
        type: 'post.created',
        data: { n: 1 },
      });
      expect(first.output()).not.toContain(endpoint.secret);
    } catch (error) {
      await first.stop();
      throw error;
    }
    expect(await first.stop()).toBe(0);

    const second = await startServer(cwd, serverEnv(port));
    try {
      expect(second.output()).toContain('using the encryption key');
      const list = await fetch(`http://127.0.0.1:${port}/v1/endpoints`, {
        headers: { 'x-api-key': KEY },
      });
      expect(((await list.json()) as { data: unknown[] }).data).toHaveLength(1);
    } catch (error) {
      await second.stop();
      throw error;
    }
    expect(await second.stop()).toBe(0);
  }, 120_000);

  it('moves its secrets to a new encryption key, after which the old key can be dropped', async () => {
    const oldKey = readFileSync(join(cwd, '.hookyard', 'encryption.key'), 'utf8').trim();
    const newKey = randomBytes(32).toString('base64');
    const secretOf = async () => {
      const headers = { 'x-api-key': KEY };
      const list = await fetch(`http://127.0.0.1:${port}/v1/endpoints`, { headers });
      const [endpoint] = ((await list.json()) as { data: { id: string }[] }).data;
      const secret = await fetch(`http://127.0.0.1:${port}/v1/endpoints/${endpoint?.id}/secret`, {
        headers,
      });
      return ((await secret.json()) as { secret: string }).secret;
    };

    const rotating = await startServer(cwd, {
      ...serverEnv(port),
      HOOKYARD_ENCRYPTION_KEY: `2:${newKey}`,
      HOOKYARD_ENCRYPTION_KEYS_PREVIOUS: `1:${oldKey}`,
    });
    let secret: string;
    try {
      secret = await secretOf();
      expect(secret).toMatch(/^whsec_/);
      const deadline = Date.now() + 15_000;
      while (!rotating.output().includes('re-encrypted 1 secrets') && Date.now() < deadline)
        await sleep(100);
      expect(rotating.output()).toContain('re-encrypted 1 secrets with encryption key version 2');
      expect(rotating.output()).not.toContain(newKey);
    } catch (error) {
      await rotating.stop();
      throw error;
    }
    expect(await rotating.stop()).toBe(0);

    const rotated = await startServer(cwd, {
      ...serverEnv(port),
      HOOKYARD_ENCRYPTION_KEY: `2:${newKey}`,
    });
    try {
      expect(await secretOf()).toBe(secret);
    } catch (error) {
      await rotated.stop();
      throw error;
    }
    expect(await rotated.stop()).toBe(0);
  }, 120_000);
});
