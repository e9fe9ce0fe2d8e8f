export { Hookyard, Webhooks } from './hookyard';
export { HookyardError, type ProblemDocument, type ProblemFieldError } from './errors';
export { Paginated, type Page } from './pagination';
export type { RetryPolicy } from './retry';
export {
  DEFAULT_BASE_URL,
  ORGANIZATION_HEADER,
  type HookyardOptions,
  type RequestOptions,
} from './transport';
export type { PublishOptions } from './resources/events';
export {
  DEFAULT_TOLERANCE_SECONDS,
  verifyWebhook,
  WebhookVerificationError,
  type VerifiedWebhook,
  type VerifyOptions,
  type WebhookRequestHeaders,
  type WebhookVerificationCode,
} from './webhooks';
export type * from './types';
