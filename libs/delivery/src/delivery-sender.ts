import {
  type DeliveryTargetEndpoint,
  type EndpointEntity,
  ENCRYPTED_COLUMNS,
  type EndpointSecretEntity,
  type SecretCipher,
  secretBinding,
} from '@hookyard/data-access';
import {
  activeSecrets,
  byDialect,
  type DeliveryDialect,
  type DeliveryFormat,
  deliveryFormat,
  type DialectConfigs,
  type EndpointSecret,
  EMPTY_POLICY,
  type OutboundMessage,
  type OutboundPolicy,
  parseOutboundAllow,
  signPayload,
} from '@hookyard/webhook-core';
import { type OutboundClient, type OutboundResult } from './outbound-client';
import { deliveryHeaders, redactRequestHeaders } from './request-headers';

/** What a send reads of an endpoint. */
export type SendEndpoint = Omit<DeliveryTargetEndpoint, 'authSecretEnc'>;

/** An endpoint ready to send to: its settings and its secrets, decrypted (or why they could not be). */
export interface SendTarget {
  readonly endpoint: SendEndpoint;
  readonly secrets: readonly EndpointSecret[];
  /** The basic-auth password or the API key, decrypted. */
  readonly authSecret: string | null;
  /** The endpoint's organization's own outbound allowance, let through beside the global one. */
  readonly allow: OutboundPolicy;
  /** Set when a secret could not be decrypted: every try is then an `internal` failure. */
  readonly unusable?: string;
}

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
  /** Each dialect's format, built once from its settings (not on every send). */
  private readonly formats: Readonly<Record<DeliveryDialect, DeliveryFormat>>;

  /** `dialects`: the configuration's settings of each dialect; without them, every default. */
  constructor(
    private readonly cipher: SecretCipher,
    private readonly client: OutboundClient,
    dialects?: DialectConfigs,
  ) {
    this.formats = byDialect((name) => deliveryFormat(name, dialects?.[name]));
  }

  /**
   * Decrypts what the endpoint needs, each value bound to its row, and reads its organization's
   * `outboundAllow`; a value that does not decrypt (one copied from another row or organization among
   * them) or does not parse makes the target `unusable`.
   */
  target(
    endpoint: DeliveryTargetEndpoint,
    secretRows: readonly Pick<
      EndpointSecretEntity,
      'id' | 'organizationId' | 'secretEnc' | 'createdAt' | 'expiresAt'
    >[],
    outboundAllow: readonly string[] = [],
  ): SendTarget {
    const { organizationId, authSecretEnc } = endpoint;
    try {
      return {
        allow: parseOutboundAllow(outboundAllow),
        endpoint,
        secrets: secretRows.map((row) => ({
          secret: this.cipher.decrypt(
            row.secretEnc,
            secretBinding(row.organizationId, ENCRYPTED_COLUMNS.signingSecret, row.id),
          ),
          createdAt: row.createdAt,
          expiresAt: row.expiresAt,
        })),
        authSecret: authSecretEnc
          ? this.cipher.decrypt(
              authSecretEnc,
              secretBinding(organizationId, ENCRYPTED_COLUMNS.authSecret, endpoint.id),
            )
          : null,
      };
    } catch (error) {
      return {
        endpoint,
        secrets: [],
        authSecret: null,
        allow: EMPTY_POLICY,
        unusable: error instanceof Error ? error.message : String(error),
      };
    }
  }

  /**
   * Decrypts and sends a test send (which reads the endpoint afresh each time): the request carries
   * the `X-Hookyard-Test: true` marker.
   */
  sendTest(
    endpoint: EndpointEntity,
    secretRows: readonly EndpointSecretEntity[],
    outboundAllow: readonly string[],
    message: OutboundMessage,
    now: Date,
  ): Promise<SendOutcome> {
    const target = this.target(endpoint, secretRows, outboundAllow);
    return this.sendTo(target, message, now, { test: true });
  }

  async sendTo(
    target: SendTarget,
    message: OutboundMessage,
    now: Date,
    { test = false }: { test?: boolean } = {},
  ): Promise<SendOutcome> {
    let prepared: { headers: Record<string, string>; body: Buffer };
    try {
      if (target.unusable !== undefined) throw new Error(target.unusable);
      prepared = this.prepare(target, message, now, test);
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
    const { endpoint } = target;
    const result = await this.client.send({
      url: endpoint.url,
      headers: prepared.headers,
      body: prepared.body,
      timeoutMs: endpoint.timeoutMs,
      allow: target.allow,
    });
    return { result, requestHeaders: redactRequestHeaders(prepared.headers, endpoint) };
  }

  private prepare(
    { endpoint, secrets: all, authSecret }: SendTarget,
    message: OutboundMessage,
    now: Date,
    test: boolean,
  ): { headers: Record<string, string>; body: Buffer } {
    const secrets = activeSecrets(all, now);
    const format = this.formats[endpoint.dialect];
    const body = format.body(endpoint, message);
    const timestamp = Math.floor(now.getTime() / 1000);
    const signature = {
      ...signPayload({ id: message.id, timestamp, body, secrets }),
      ...format.extraSignatureHeaders({ body, secrets, timestamp: String(timestamp) }),
    };
    return { headers: deliveryHeaders(endpoint, authSecret, signature, test), body };
  }
}
