import { type EndpointDialect } from '@hookyard/data-access';
import { type OutboundAuthentication } from '@hookyard/webhook-core';

/** What any dialect asks for when it makes an endpoint, in neutral terms. */
export interface EndpointInput {
  readonly dialect: EndpointDialect;
  readonly url: string;
  readonly name?: string;
  readonly description?: string | null;
  readonly topics: readonly string[];
  readonly excludedTopics?: readonly string[];
  readonly timeoutMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly authentication?: OutboundAuthentication;
  readonly includePreviousData?: boolean;
  readonly status?: 'active' | 'paused';
  /** A caller-chosen signing secret (`whsec_…`); generated when absent. */
  readonly secret?: string;
}

/** A partial update: absent fields stay as they are; `description: null` clears. */
export interface EndpointPatch {
  readonly url?: string;
  readonly name?: string;
  readonly description?: string | null;
  readonly topics?: readonly string[];
  readonly excludedTopics?: readonly string[];
  readonly timeoutMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly authentication?: OutboundAuthentication;
  readonly includePreviousData?: boolean;
  readonly status?: 'active' | 'paused';
}

/** How a dialect's rules differ. */
export interface DialectRules {
  /** Topic patterns (`post.*`) allowed, or exact catalogue topics only. */
  readonly allowTopicPatterns: boolean;
  /** Forces HTTPS whatever the deployment allows (the Featurebase dialect). */
  readonly alwaysHttps?: boolean;
}

export interface SecretSet {
  readonly current: string;
  readonly previous: readonly { readonly secret: string; readonly expiresAt: Date }[];
}

/** The request-body fields every dialect shares. */
interface SharedBody {
  readonly url?: string;
  readonly name?: string;
  readonly description?: string | null;
  readonly topics?: string[];
  readonly requestConfig?: {
    readonly timeoutMs?: number;
    readonly headers?: Record<string, string>;
  };
}

/** Maps the fields every dialect's body shares to the core's terms (`requestConfig` is flattened). */
export function sharedEndpointFields<B extends SharedBody>(
  body: B,
): Pick<B, 'url' | 'name' | 'description' | 'topics'> & {
  timeoutMs?: number;
  headers?: Record<string, string>;
} {
  return {
    url: body.url,
    name: body.name,
    description: body.description,
    topics: body.topics,
    timeoutMs: body.requestConfig?.timeoutMs,
    headers: body.requestConfig?.headers,
  };
}
