import { type EndpointEntity } from '@hookyard/data-access';
import { redactHeaders } from '@hookyard/webhook-core';

/**
 * The headers of one delivery request: custom headers, outbound authentication, then the signature
 * headers (Standard Webhooks and whatever the endpoint's delivery format adds over the same bytes).
 */
export function deliveryHeaders(
  endpoint: Pick<EndpointEntity, 'headers' | 'authType' | 'authUsername' | 'authHeaderName'>,
  authSecret: string | null,
  signature: Readonly<Record<string, string>>,
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
  return { ...headers, ...signature };
}

/** What the attempt log keeps of the request headers: credentials and sensitive values replaced. */
export function redactRequestHeaders(
  headers: Record<string, string>,
  endpoint: Pick<EndpointEntity, 'authHeaderName'>,
): Record<string, string> {
  return redactHeaders(headers, [endpoint.authHeaderName]);
}
