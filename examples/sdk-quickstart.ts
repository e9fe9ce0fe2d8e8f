/**
 * A tour of @hookyard/sdk: a receiver on this machine verifies what Hookyard delivers to it, and a
 * publisher creates the endpoint, publishes an event and reads the delivery log.
 *
 *   HOOKYARD_API_KEY=… npx tsx examples/sdk-quickstart.ts   # against `npm run start:local`
 *
 * apps/api/test/sdk-example.e2e-spec.ts runs `quickstart` against a test server.
 */
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Hookyard, HookyardError, type VerifiedWebhook } from '@hookyard/sdk';

export interface QuickstartResult {
  readonly eventId: string;
  readonly received: VerifiedWebhook;
  readonly attempts: number;
}

export async function quickstart(options: {
  apiKey: string;
  baseUrl?: string;
}): Promise<QuickstartResult> {
  const hy = new Hookyard(options);
  let secret = '';
  let onVerified: (message: VerifiedWebhook) => void = () => undefined;
  const delivered = new Promise<VerifiedWebhook>((resolve) => (onVerified = resolve));

  // The receiver: verify the raw body before trusting it, answer 2xx quickly.
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        onVerified(hy.webhooks.verify(Buffer.concat(chunks), request.headers, secret));
        response.writeHead(204).end();
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;

  try {
    const endpoint = await hy.endpoints.create({
      url: `http://127.0.0.1:${port}/webhooks`,
      name: 'Quickstart',
      topics: ['post.created'],
    });
    secret = endpoint.secret;

    const event = await hy.events.publish(
      { topic: 'post.created', data: { id: 'p_1', title: 'Hello' } },
      { idempotencyKey: `quickstart-${endpoint.id}` },
    );
    const received = await delivered;

    let attempts = 0;
    for await (const attempt of hy.endpoints.listAttempts(endpoint.id)) {
      if (attempt.eventId === event.id) attempts += 1;
    }
    return { eventId: event.id, received, attempts };
  } catch (error) {
    if (error instanceof HookyardError) {
      throw new Error(`Hookyard said ${error.status} ${error.code} (request ${error.requestId})`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    receiver.close();
  }
}
