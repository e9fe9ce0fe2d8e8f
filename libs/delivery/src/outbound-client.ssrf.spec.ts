import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import * as http from 'node:http';
import { type AddressInfo, isIP, type Socket } from 'node:net';
import {
  describeDenyReason,
  EMPTY_POLICY,
  type OutboundPolicy,
  parseOutboundAllow,
} from '@hookyard/webhook-core';
import {
  type ScriptedResolver,
  SSRF_DNS,
  SSRF_LITERALS,
  scriptedResolver,
  ssrfUrl,
} from '@hookyard/webhook-core/testing';
import { OutboundClient, type OutboundResult } from './outbound-client';

// Catalogue rows S1–S4 (docs/reliability.md) with real sockets: every refused row of the SSRF
// catalogue sent through the client at a receiver on 127.0.0.1 that counts connections, which must
// stay at 0.

/** A receiver on a loopback address counting the TCP connections it accepts. */
interface CountingReceiver {
  readonly host: string;
  readonly port: number;
  connections: number;
  hits: number;
  close(): Promise<void>;
}

async function countingReceiver(host: string): Promise<CountingReceiver> {
  const server = http.createServer((_req, res) => {
    receiver.hits += 1;
    res.end('reached');
  });
  server.on('connection', () => (receiver.connections += 1));
  server.listen(0, host);
  await once(server, 'listening');
  const receiver: CountingReceiver = {
    host,
    port: (server.address() as AddressInfo).port,
    connections: 0,
    hits: 0,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}

const LOOPBACK = new Set(['127.0.0.1', '127.0.0.2', '::1']);

/**
 * Egress fence: a socket whose lookup answers a non-loopback address is destroyed before it
 * connects (`net` checks for that after emitting `lookup`), and the address is recorded, so a test
 * can tell where a connection would have gone without anything leaving the machine.
 */
const fenced: { host: string; address: string }[] = [];
const attempted: string[] = [];
function onSocket(message: unknown): void {
  const { socket } = message as { socket: Socket };
  socket.on('lookup', (error: Error | null, address: string, _family: number, host: string) => {
    if (error === null && !LOOPBACK.has(address)) {
      fenced.push({ host, address });
      socket.destroy();
    }
  });
  socket.on('connectionAttempt', (address: string) => attempted.push(address));
}

let receiver: CountingReceiver;
const clients: OutboundClient[] = [];

beforeAll(async () => {
  subscribe('net.client.socket', onSocket);
  receiver = await countingReceiver('127.0.0.1');
});

afterAll(async () => {
  unsubscribe('net.client.socket', onSocket);
  for (const client of clients) client.close();
  await receiver.close();
});

function client(policy: OutboundPolicy, resolver: ScriptedResolver): OutboundClient {
  const created = new OutboundClient({ policy, lookup: resolver.lookup });
  clients.push(created);
  return created;
}

function send(outbound: OutboundClient, url: string): Promise<OutboundResult> {
  return outbound.send({ url, headers: {}, body: Buffer.from('{}'), timeoutMs: 2000 });
}

function errorClassOf(result: OutboundResult): string {
  return result.kind === 'error' ? result.errorClass : `HTTP ${result.status}`;
}

const localhostNames = SSRF_LITERALS.filter((row) => row.group === 'loopback names').map((row) => ({
  name: row.parsed ?? row.host,
  answers: [['127.0.0.1']],
}));

describe('S1 S2 every refused literal of the SSRF catalogue, sent at a live 127.0.0.1 receiver', () => {
  const refused = SSRF_LITERALS.filter((row) => row.expect !== null);
  const expectedClass = (parsed: string | null): string => {
    if (parsed === null) return 'protocol'; // the URL parser refuses it
    const host = parsed.startsWith('[') ? parsed.slice(1, -1) : parsed;
    const resolvable = isIP(host) !== 0 || localhostNames.some((n) => n.name === parsed);
    return resolvable ? 'ssrf_blocked' : 'dns';
  };

  it.each(refused.map((row) => [row.host, row.expect, expectedClass(row.parsed)] as const))(
    '%s (%s) fails as %s with no connection',
    async (host, _reason, errorClass) => {
      const before = receiver.connections;
      const result = await send(
        client(EMPTY_POLICY, scriptedResolver(localhostNames)),
        ssrfUrl(host, 'http', receiver.port, '/ssrf'),
      );
      expect(errorClassOf(result)).toBe(errorClass);
      expect(receiver.connections).toBe(before);
    },
  );

  it('leaves the receiver with 0 connections after all of them', () => {
    expect(refused.length).toBeGreaterThan(100);
    expect(receiver.connections).toBe(0);
    expect(receiver.hits).toBe(0);
  });
});

describe('S3 DNS names of the SSRF catalogue through the injected resolver', () => {
  const refused = SSRF_DNS.filter((row) => row.expect !== null);
  const allowed = SSRF_DNS.filter((row) => row.expect === null);

  it.each(refused.map((row) => [row.name, row.answers, row.expect] as const))(
    'refuses %s answering %j (%s) without connecting, after one lookup',
    async (name, _answers, reason) => {
      const resolver = scriptedResolver(SSRF_DNS);
      const result = await send(
        client(EMPTY_POLICY, resolver),
        ssrfUrl(name, 'http', receiver.port),
      );
      expect(result).toMatchObject({
        kind: 'error',
        errorClass: 'ssrf_blocked',
        message: `the destination address is not allowed: ${reason && describeDenyReason(reason)}`,
      });
      expect(resolver.calls(name)).toBe(1);
      expect(receiver.connections).toBe(0);
    },
  );

  it.each(allowed.map((row) => [row.name, row.answers] as const))(
    'connects %s (answers %j) to the first address it checked, and only that one',
    async (name, answers) => {
      const resolver = scriptedResolver(SSRF_DNS);
      fenced.length = 0;
      const result = await send(
        client(EMPTY_POLICY, resolver),
        ssrfUrl(name, 'http', receiver.port),
      );
      // The fence cut the connection to the public address: a connect error, not a refusal.
      expect(errorClassOf(result)).toBe('connect');
      expect(fenced).toEqual([{ host: name, address: answers[0]?.[0] }]);
      expect(resolver.calls(name)).toBe(1);
      expect(receiver.connections).toBe(0);
    },
  );
});

describe('S4 rebinding and mixed answers between two live loopback receivers', () => {
  // 127.0.0.1 plays the public address (allow-listed), 127.0.0.2 the private one (refused).
  const policy = parseOutboundAllow(['127.0.0.1/32']);
  let refusedReceiver: CountingReceiver;

  beforeAll(async () => {
    refusedReceiver = await countingReceiver('127.0.0.2');
  });

  afterAll(() => refusedReceiver.close());

  it('sends to the address that was checked when the next answer points elsewhere', async () => {
    const resolver = scriptedResolver([
      { name: 'rebind.test', answers: [['127.0.0.1'], ['127.0.0.2']] },
    ]);
    const outbound = client(policy, resolver);
    const hitsBefore = receiver.hits;
    // The URL's port is the refused receiver's: only a connection to the rebound 127.0.0.2 could
    // reach it. The checked 127.0.0.1 has nothing listening there, so the send is refused by TCP.
    const first = await send(outbound, `http://rebind.test:${refusedReceiver.port}/`);
    expect(first).toMatchObject({ kind: 'error', errorClass: 'connect' });
    expect((first as { message: string }).message).toContain(`127.0.0.1:${refusedReceiver.port}`);
    expect(resolver.calls('rebind.test')).toBe(1);
    expect(refusedReceiver.connections).toBe(0);

    const second = await send(outbound, `http://rebind.test:${refusedReceiver.port}/`);
    expect(second).toMatchObject({ kind: 'error', errorClass: 'ssrf_blocked' });
    expect(resolver.calls('rebind.test')).toBe(2);
    expect(refusedReceiver.connections).toBe(0);
    expect(receiver.hits).toBe(hitsBefore);
  });

  it('reaches the checked receiver and never the rebound one on a shared name', async () => {
    const resolver = scriptedResolver([
      { name: 'shared.test', answers: [['127.0.0.1'], ['127.0.0.2']] },
    ]);
    const outbound = client(policy, resolver);
    const reached = await send(outbound, `http://shared.test:${receiver.port}/`);
    expect(reached).toMatchObject({ kind: 'response', status: 200, bodyExcerpt: 'reached' });
    expect(receiver.hits).toBe(1);
    const rebound = await send(outbound, `http://shared.test:${receiver.port}/`);
    expect(rebound).toMatchObject({ kind: 'error', errorClass: 'ssrf_blocked' });
    expect(receiver.hits).toBe(1);
    expect(refusedReceiver.connections).toBe(0);
  });

  it('refuses the whole target when one answer of several is refused, even if the first passes', async () => {
    const resolver = scriptedResolver([
      { name: 'mixed.test', answers: [['127.0.0.1', '127.0.0.2']] },
    ]);
    const hitsBefore = receiver.hits;
    const result = await send(client(policy, resolver), `http://mixed.test:${receiver.port}/`);
    expect(result).toMatchObject({
      kind: 'error',
      errorClass: 'ssrf_blocked',
      message: 'the destination address is not allowed: loopback',
    });
    expect(receiver.hits).toBe(hitsBefore);
    expect(refusedReceiver.connections).toBe(0);
  });
});

it('made no connection attempt to an address off this machine', () => {
  expect(attempted.filter((address) => !LOOPBACK.has(address))).toEqual([]);
});
