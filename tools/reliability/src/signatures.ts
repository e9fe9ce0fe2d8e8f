import { Webhook } from 'standardwebhooks';
import { type IncomingHttpHeaders } from 'node:http';

/** The outcome of checking one request's Standard Webhooks signature. */
export interface SignatureCheck {
  /** null when no secret is known for the endpoint. */
  readonly valid: boolean | null;
  readonly error: string | null;
}

/** A bad secret registration, reported to the control API as a 400 problem. */
export class SecretError extends Error {
  constructor(
    readonly code: 'INVALID_PATH_PREFIX' | 'INVALID_SECRET',
    readonly field: 'pathPrefix' | 'secret',
    message: string,
  ) {
    super(message);
  }
}

/** Endpoint secrets by path prefix; the longest prefix that covers an endpoint signs it. */
export class SecretBook {
  private readonly byPrefix = new Map<string, Webhook>();

  /** Registers `secret` (`whsec_…`) for every endpoint at or below `pathPrefix` (`/d9`). */
  set(pathPrefix: unknown, secret: unknown): void {
    if (typeof pathPrefix !== 'string' || !pathPrefix.startsWith('/')) {
      throw new SecretError('INVALID_PATH_PREFIX', 'pathPrefix', 'pathPrefix must start with /');
    }
    if (typeof secret !== 'string' || !secret.startsWith('whsec_')) {
      throw new SecretError('INVALID_SECRET', 'secret', 'secret must be a whsec_ secret');
    }
    let webhook: Webhook;
    try {
      webhook = new Webhook(secret);
    } catch {
      throw new SecretError('INVALID_SECRET', 'secret', 'secret is not valid base64');
    }
    this.byPrefix.set(trimSlash(pathPrefix), webhook);
  }

  clear(): void {
    this.byPrefix.clear();
  }

  /** Verifies the request with `standardwebhooks` against the endpoint's secret, if any. */
  check(endpoint: string, body: Buffer, headers: IncomingHttpHeaders): SignatureCheck {
    const webhook = this.find(endpoint);
    if (!webhook) return { valid: null, error: null };
    try {
      webhook.verify(body, signatureHeaders(headers), { jsonParse: false });
      return { valid: true, error: null };
    } catch (error) {
      return { valid: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  private find(endpoint: string): Webhook | undefined {
    let best: { length: number; webhook: Webhook } | undefined;
    for (const [prefix, webhook] of this.byPrefix) {
      const covers = prefix === '' || endpoint === prefix || endpoint.startsWith(`${prefix}/`);
      if (covers && (!best || prefix.length > best.length))
        best = { length: prefix.length, webhook };
    }
    return best?.webhook;
  }
}

function signatureHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const value = headers[name];
    if (typeof value === 'string') picked[name] = value;
  }
  return picked;
}

function trimSlash(prefix: string): string {
  return prefix.replace(/\/+$/, '');
}
