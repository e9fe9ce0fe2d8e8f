import { createHmac } from 'node:crypto';
import { type EndpointEntity } from '@hookyard/data-access';
import { redactHeaders, type WebhookHeaders } from '@hookyard/webhook-core';

/** What was signed: the exact body bytes and the valid secrets, current first. */
export interface SignedBody {
  readonly body: Buffer;
  readonly secrets: readonly string[];
}

/**
 * The headers of one delivery request: custom headers, outbound authentication, then the signature.
 * Featurebase endpoints also get `X-Webhook-Timestamp` and `X-Webhook-Signature` over the same bytes
 * with the same timestamp as the Standard Webhooks headers.
 */
export function deliveryHeaders(
  endpoint: EndpointEntity,
  authSecret: string | null,
  signature: WebhookHeaders,
  signed: SignedBody,
): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Hookyard-Webhooks/1.0',
    ...endpoint.headers,
  };
  if (endpoint.authType === 'basic' && endpoint.authUsername !== null && authSecret !== null) {
    headers['authorization'] =
      `Basic ${Buffer.from(`${endpoint.authUsername}:${authSecret}`).toString('base64')}`;
  }
  if (endpoint.authType === 'api_key' && endpoint.authHeaderName !== null && authSecret !== null) {
    headers[endpoint.authHeaderName] = authSecret;
  }
  switch (endpoint.dialect) {
    case 'native':
    case 'platform':
      return { ...headers, ...signature };
    case 'featurebase':
      return { ...headers, ...signature, ...featurebaseSignature(signature, signed) };
  }
}

/**
 * Featurebase's scheme (docs.featurebase.app, guide "webhooks/security"): the hex HMAC-SHA256 of
 * `${timestamp}.${rawBody}`, keyed with the UTF-8 bytes of the whole `whsec_…` secret. The header
 * holds one signature, so it is made with the current secret only.
 */
function featurebaseSignature(
  signature: WebhookHeaders,
  signed: SignedBody,
): Record<string, string> {
  const [current] = signed.secrets;
  if (current === undefined) throw new RangeError('At least one secret is needed to sign');
  const timestamp = signature['webhook-timestamp'];
  const hex = createHmac('sha256', Buffer.from(current, 'utf8'))
    .update(`${timestamp}.`, 'utf8')
    .update(signed.body)
    .digest('hex');
  return { 'x-webhook-timestamp': timestamp, 'x-webhook-signature': hex };
}

/** What the attempt log keeps of the request headers: credentials and sensitive values replaced. */
export function redactRequestHeaders(
  headers: Record<string, string>,
  endpoint: EndpointEntity,
): Record<string, string> {
  return redactHeaders(headers, [endpoint.authHeaderName]);
}
