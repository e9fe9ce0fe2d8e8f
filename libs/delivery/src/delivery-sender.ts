import {
  type EndpointEntity,
  type EndpointSecretEntity,
  type SecretCipher,
} from '@hookyard/data-access';
import {
  activeSecrets,
  deliveryFormat,
  type FormatSettings,
  type OutboundMessage,
  signPayload,
} from '@hookyard/webhook-core';
import { type OutboundClient, type OutboundResult } from './outbound-client';
import { deliveryHeaders, redactRequestHeaders } from './request-headers';

export interface SendOutcome {
  readonly result: OutboundResult;
  /** The request headers as the attempt log keeps them: credentials redacted. */
  readonly requestHeaders: Record<string, string>;
}

/**
 * One HTTP try of a message to an endpoint: the body in the endpoint's format, signed afresh with every
 * currently valid secret, outbound authentication added, sent through the SSRF-guarded client. The
 * worker and synchronous test sends both go through here.
 */
export class DeliverySender {
  constructor(
    private readonly cipher: SecretCipher,
    private readonly client: OutboundClient,
    private readonly formats: FormatSettings = {},
  ) {}

  async send(
    endpoint: EndpointEntity,
    secretRows: readonly EndpointSecretEntity[],
    message: OutboundMessage,
    now: Date,
  ): Promise<SendOutcome> {
    let prepared: { headers: Record<string, string>; body: Buffer };
    try {
      prepared = this.prepare(endpoint, secretRows, message, now);
    } catch (error) {
      // Nothing was sent: the try is recorded as `internal` and retried on the schedule.
      const reason = error instanceof Error ? error.message : String(error);
      return {
        result: {
          kind: 'error',
          errorClass: 'internal',
          message: `could not prepare the request: ${reason}`,
          durationMs: 0,
        },
        requestHeaders: {},
      };
    }
    const result = await this.client.send({
      url: endpoint.url,
      headers: prepared.headers,
      body: prepared.body,
      timeoutMs: endpoint.timeoutMs,
    });
    return { result, requestHeaders: redactRequestHeaders(prepared.headers, endpoint) };
  }

  private prepare(
    endpoint: EndpointEntity,
    secretRows: readonly EndpointSecretEntity[],
    message: OutboundMessage,
    now: Date,
  ): { headers: Record<string, string>; body: Buffer } {
    const secrets = activeSecrets(
      secretRows.map((row) => ({
        secret: this.cipher.decrypt(row.secretEnc),
        createdAt: row.createdAt,
        expiresAt: row.expiresAt,
      })),
      now,
    );
    const format = deliveryFormat(endpoint.dialect, this.formats);
    const body = format.body(endpoint, message);
    const timestamp = Math.floor(now.getTime() / 1000);
    const signature = {
      ...signPayload({ id: message.id, timestamp, body, secrets }),
      ...format.extraSignatureHeaders({ body, secrets, timestamp: String(timestamp) }),
    };
    const authSecret = endpoint.authSecretEnc ? this.cipher.decrypt(endpoint.authSecretEnc) : null;
    return { headers: deliveryHeaders(endpoint, authSecret, signature), body };
  }
}
