import { type EndpointEntity } from '@hookyard/data-access';
import { redactHeaders, TEST_SEND_HEADER } from '@hookyard/webhook-core';

/**
 * The headers of one delivery request: custom headers, outbound authentication, then the signature
 * headers (Standard Webhooks and whatever the endpoint's delivery format adds over the same bytes),
 * and on a test send the test marker. A custom header named like the marker (stored before the name
 * was reserved) is dropped, so a real delivery never carries it and a test send never hides it.
 */
export function deliveryHeaders(
  endpoint: Pick<EndpointEntity, 'headers' | 'authType' | 'authUsername' | 'authHeaderName'>,
  authSecret: string | null,
  signature: Readonly<Record<string, string>>,
  test = false,
): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Hookyard-Webhooks/1.0',
  };
  for (const [name, value] of Object.entries(endpoint.headers)) {
    if (name.toLowerCase() !== TEST_SEND_HEADER) headers[name] = value;
  }
  if (endpoint.authType === 'basic' && endpoint.authUsername !== null && authSecret !== null) {
    headers['authorization'] =
      `Basic ${Buffer.from(`${endpoint.authUsername}:${authSecret}`).toString('base64')}`;
  }
  if (endpoint.authType === 'api_key' && endpoint.authHeaderName !== null && authSecret !== null) {
    headers[endpoint.authHeaderName] = authSecret;
  }
  return { ...headers, ...signature, ...(test ? { [TEST_SEND_HEADER]: 'true' } : {}) };
}

/** What the attempt log keeps of the request headers: credentials and sensitive values replaced. */
export function redactRequestHeaders(
  headers: Record<string, string>,
  endpoint: Pick<EndpointEntity, 'authHeaderName'>,
): Record<string, string> {
  return redactHeaders(headers, [endpoint.authHeaderName]);
}
