import { type EndpointDialect, type EndpointOrdering } from '@hookyard/data-access';
import { type OutboundAuthentication, type SigningProtocol } from '@hookyard/webhook-core';

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
  /** A caller-chosen signing secret (`whsec_…`, or `whsk_…` for Ed25519); generated when absent. */
  readonly secret?: string;
  /** The protocol of the generated secret when `secret` is absent (HMAC-SHA256 unless given). */
  readonly signingProtocol?: SigningProtocol;
  /** `none` unless given. */
  readonly ordering?: EndpointOrdering;
  readonly reference?: string | null;
  readonly email?: string | null;
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
  readonly ordering?: EndpointOrdering;
  readonly reference?: string | null;
  readonly email?: string | null;
  /** Lets the endpoint out of the penalty box, in the update's transaction; a no-op outside it. */
  readonly releasePenalty?: boolean;
}

/** How a dialect's rules differ. */
export interface DialectRules {
  /** Topic patterns (`post.*`) allowed, or exact catalogue topics only. */
  readonly allowTopicPatterns: boolean;
  /** Forces HTTPS whatever the deployment allows (the Featurebase dialect). */
  readonly alwaysHttps?: boolean;
}

/**
 * The secrets an endpoint signs with, as a caller may see them: an Ed25519 key is shown as its `whpk_`
 * public key (the `whsk_` private key never leaves Hookyard).
 */
export interface SecretSet {
  readonly current: string;
  readonly currentProtocol: SigningProtocol;
  /** When the current secret was issued (at creation, or by the last roll). */
  readonly currentSince: Date;
  /** Newest first. */
  readonly previous: readonly {
    readonly secret: string;
    readonly protocol: SigningProtocol;
    readonly expiresAt: Date;
  }[];
}

/** A roll done with an update: a new secret (of `protocol` when given), the old one valid for the grace. */
export interface SecretRoll {
  readonly graceSeconds: number;
  readonly protocol?: SigningProtocol;
  /** Also ends the windows of earlier rolls: only the new secret signs afterwards. */
  readonly revokePrevious?: boolean;
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
