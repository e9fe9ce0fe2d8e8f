import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { endpointBody, eventually, type TestApp, useDeliveryApp } from './harness';

/** One request the receiver saw: the `seq` of the event it carried and the status it answered. */
interface Request {
  readonly seq: number;
  readonly status: number;
}

/**
 * A receiver on 127.0.0.1 that answers 500 to the first `failFirst` requests carrying event `seq` 1
 * and 200 to everything else. It keeps the requests in arrival order and the most it ever had open
 * at once.
 */
class OrderReceiver {
  readonly requests: Request[] = [];
  maxInFlight = 0;
  private inFlight = 0;
  private firstEventTries = 0;
  private server: Server | null = null;

  constructor(private readonly failFirst: number) {}

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const { seq } = (
          JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { seq: number } }
        ).data;
        if (seq === 1) this.firstEventTries++;
        const status = seq === 1 && this.firstEventTries <= this.failFirst ? 500 : 200;
        this.requests.push({ seq, status });
        // Closed before the worker can see the answer, so its next request cannot overlap this one.
        this.inFlight--;
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/hooks`;
  }

  /** The events received with a 200, in arrival order. */
  succeeded(): number[] {
    return this.requests.filter((r) => r.status === 200).map((r) => r.seq);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

const EVENTS = Array.from({ length: 10 }, (_, i) => i + 1);

describe('ordered (FIFO) delivery', () => {
  // Retries a few hundred ms apart and more of them than the receiver fails; no penalty box in between.
  const fixture = useDeliveryApp({
    HOOKYARD_RETRY_SCHEDULE: '300ms,300ms,300ms,300ms,300ms',
    HOOKYARD_PENALTY_AFTER: '50',
  });
  let t: TestApp;
  let key: string;
  beforeAll(() => ({ t, key } = fixture));

  const receivers: OrderReceiver[] = [];
  afterAll(async () => {
    for (const receiver of receivers) await receiver.stop();
  });

  /** A receiver that fails event 1's first three tries, and an endpoint on it for `topic`. */
  async function endpointOn(topic: string, ordering: 'none' | 'fifo'): Promise<OrderReceiver> {
    const receiver = await new OrderReceiver(3).start();
    receivers.push(receiver);
    const created = await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({ url: receiver.url, topics: [topic], ordering }),
    });
    expect(created.status).toBe(201);
    expect(created.body.ordering).toBe(ordering);
    return receiver;
  }

  /** Publishes events 1..10 of `topic` one after the other. */
  async function publishInOrder(topic: string): Promise<void> {
    for (const seq of EVENTS) {
      const published = await t.request('POST', '/v1/events', {
        key,
        body: { topic, data: { seq } },
      });
      expect(published.status).toBe(202);
      expect(published.body.deliveries).toBe(1);
    }
  }

  it('holds events 2-10 behind event 1 until it succeeds, then sends them in publish order, one at a time', async () => {
    const receiver = await endpointOn('post.created', 'fifo');
    await publishInOrder('post.created');
    await eventually(() => expect(receiver.succeeded()).toHaveLength(EVENTS.length), 20_000);

    expect(receiver.succeeded()).toEqual(EVENTS);
    // Event 1 three times failed, then once succeeded, before any request for a later event; each
    // later event once, in order.
    expect(receiver.requests).toEqual([
      { seq: 1, status: 500 },
      { seq: 1, status: 500 },
      { seq: 1, status: 500 },
      ...EVENTS.map((seq) => ({ seq, status: 200 })),
    ]);
    expect(receiver.maxInFlight).toBe(1);
  });

  it('without ordering, sends later events while event 1 is still being retried', async () => {
    const receiver = await endpointOn('post.updated', 'none');
    await publishInOrder('post.updated');
    await eventually(() => expect(receiver.succeeded()).toHaveLength(EVENTS.length), 20_000);

    const firstSuccess = receiver.requests.findIndex((r) => r.seq === 1 && r.status === 200);
    expect(receiver.requests.slice(0, firstSuccess).some((r) => r.seq !== 1)).toBe(true);
    expect(receiver.succeeded()).not.toEqual(EVENTS);
  });

  it('shows and changes the ordering of an endpoint', async () => {
    const created = await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({ url: 'http://127.0.0.1:9/hooks', topics: ['post.deleted'] }),
    });
    expect(created.body.ordering).toBe('none');
    const updated = await t.request('PATCH', `/v1/endpoints/${created.body.id}`, {
      key,
      body: { ordering: 'fifo' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.ordering).toBe('fifo');
    expect(
      (await t.request('GET', `/v1/endpoints/${created.body.id}`, { key })).body.ordering,
    ).toBe('fifo');
    const refused = await t.request('PATCH', `/v1/endpoints/${created.body.id}`, {
      key,
      body: { ordering: 'lifo' },
    });
    expect(refused.status).toBe(400);
  });
});
