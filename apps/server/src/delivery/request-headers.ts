import { type EndpointEntity } from '@hookyard/data-access';
import { isSensitiveHeaderName, type WebhookHeaders } from '@hookyard/webhook-core';

const REDACTED = '[redacted]';

/** The headers of one delivery request: custom headers, outbound authentication, then the signature. */
export function deliveryHeaders(
  endpoint: EndpointEntity,
  authSecret: string | null,
  signature: WebhookHeaders,
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
export function redactHeaders(
  headers: Record<string, string>,
  endpoint: EndpointEntity,
): Record<string, string> {
  const authHeader = endpoint.authHeaderName?.toLowerCase();
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => {
      const lower = name.toLowerCase();
      const sensitive =
        lower === 'authorization' || lower === authHeader || isSensitiveHeaderName(name);
      return [name, sensitive ? REDACTED : value];
    }),
  );
}
