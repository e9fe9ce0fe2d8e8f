import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { type LedgerEntry } from './ledger-entry';
import { RECEIVER_MAIN, spawnReceiver } from './receiver-process';

// Runs the built dist/receiver-main.js: the `test` target depends on `build`.
describe('the standalone receiver process', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'receiver-main-spec-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its ports, answers, verifies, keeps a JSONL ledger and exits 0 on SIGTERM', async () => {
    const ledgerFile = join(dir, 'ledger.jsonl');
    const receiver = await spawnReceiver({ ledgerFile });
    try {
      expect(receiver.port).toBeGreaterThan(0);
      expect(receiver.tlsPort).toBeGreaterThan(0);
      const secret = `whsec_${Buffer.from('standalone-receiver-secret-01').toString('base64')}`;
      await receiver.setSecret('/p', secret);
      const body = '{"type":"ping"}';
      const at = new Date();
      const response = await fetch(receiver.url('/p/ok'), {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'webhook-id': 'msg_main',
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': new Webhook(secret).sign('msg_main', at, body),
        },
      });
      expect(response.status).toBe(200);
      expect((await fetch(receiver.url('/p/status/418'), { method: 'POST' })).status).toBe(418);
      const ledger = await receiver.ledger();
      expect(ledger.map((entry) => [entry.endpoint, entry.status, entry.signatureValid])).toEqual([
        ['/p/ok', 200, true],
        ['/p/status/418', 418, false],
      ]);
      await receiver.reset();
      expect(await receiver.ledger()).toEqual([]);
      const fromFile = readFileSync(ledgerFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as LedgerEntry);
      expect(fromFile).toEqual(ledger);
    } finally {
      expect(await receiver.stop()).toBe(0);
    }
    await expect(fetch(receiver.url('/p/ok'))).rejects.toThrow();
  });

  it('exits 2 on an unknown option', async () => {
    const child = spawn(process.execPath, [RECEIVER_MAIN, '--bogus', '1'], { stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('unknown option --bogus');
  });
});
