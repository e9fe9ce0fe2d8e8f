/**
 * The secret rotation policy: which of an endpoint's secrets sign a delivery at a given moment.
 *
 * An endpoint has one current secret (no expiry) and may have previous secrets that stay valid until
 * their grace window ends. While several are valid, every delivery carries one signature per secret.
 * A secret is a `whsec_` secret or a `whsk_` signing key, so a rotation may change the protocol: the
 * old secret keeps signing with its own protocol until its window ends.
 */
import {
  type SigningProtocol,
  WebhookSecretError,
  isSigningSecret,
  signingProtocolOf,
} from './signing';

/** One secret of an endpoint. */
export interface EndpointSecret {
  secret: string;
  createdAt: Date;
  /** `null` marks the current secret, which never expires. */
  expiresAt: Date | null;
}

/** At most this many previous secrets may be valid at once (the current secret not counted). */
export const MAX_VALID_SECRETS = 10;

/** Longest grace window for a rotated-out secret: 7 days. */
export const MAX_GRACE_SECONDS = 604_800;

/** Default grace window for a rotated-out secret: 24 hours. */
export const DEFAULT_GRACE_SECONDS = 86_400;

/** Why a rotation was refused. */
export const RotationErrorCode = {
  GRACE_PERIOD_INVALID: 'GRACE_PERIOD_INVALID',
  ROTATION_LIMIT_REACHED: 'ROTATION_LIMIT_REACHED',
  SECRET_REUSED: 'SECRET_REUSED',
} as const;

/** Union of the rotation error codes. */
export type RotationErrorCode = (typeof RotationErrorCode)[keyof typeof RotationErrorCode];

/** Thrown by {@link rotateSecrets} when a rotation is refused. */
export class RotationError extends Error {
  readonly code: RotationErrorCode;

  constructor(code: RotationErrorCode, message: string) {
    super(message);
    this.name = 'RotationError';
    this.code = code;
  }
}

/** Thrown when a rotation would leave more than {@link MAX_VALID_SECRETS} previous secrets valid. */
export class RotationLimitError extends RotationError {
  declare readonly code: typeof RotationErrorCode.ROTATION_LIMIT_REACHED;

  constructor(message: string) {
    super(RotationErrorCode.ROTATION_LIMIT_REACHED, message);
    this.name = 'RotationLimitError';
  }
}

/** Newest first by `createdAt`; ties broken by the later expiry. */
function newestFirst(a: EndpointSecret, b: EndpointSecret): number {
  const byCreation = b.createdAt.getTime() - a.createdAt.getTime();
  if (byCreation !== 0) return byCreation;
  return (b.expiresAt?.getTime() ?? Infinity) - (a.expiresAt?.getTime() ?? Infinity) || 0;
}

function isCurrent(entry: EndpointSecret): boolean {
  return entry.expiresAt === null;
}

function isValidPrevious(entry: EndpointSecret, now: Date): boolean {
  return entry.expiresAt !== null && entry.expiresAt.getTime() > now.getTime();
}

/**
 * The secrets that sign at `now`: the current secret first, then previous secrets whose
 * `expiresAt` is after `now`, newest first. Expired secrets are dropped, duplicates kept once.
 */
export function activeSecrets(secrets: readonly EndpointSecret[], now: Date): string[] {
  const current = secrets.filter(isCurrent).sort(newestFirst);
  const previous = secrets.filter((entry) => isValidPrevious(entry, now)).sort(newestFirst);
  return [...new Set([...current, ...previous].map((entry) => entry.secret))];
}

/**
 * The protocol of the newest previous secret still valid at `now` (the one a roll just retired),
 * or `null` when no previous secret is valid.
 */
export function previousProtocolOf(
  secrets: readonly EndpointSecret[],
  now: Date,
): SigningProtocol | null {
  const [newest] = secrets.filter((entry) => isValidPrevious(entry, now)).sort(newestFirst);
  return newest === undefined ? null : signingProtocolOf(newest.secret);
}

/**
 * Makes `newSecret` (a `whsec_` secret or a `whsk_` signing key) the current secret. The old current
 * secret, whatever its protocol, stays valid for `graceSeconds` (`expiresAt = now + grace`; with
 * grace 0 it is dropped at once); expired entries are pruned. The result lists the new current
 * secret first, then previous secrets newest first.
 * @throws RotationError `GRACE_PERIOD_INVALID` unless `graceSeconds` is an integer in
 *   0..{@link MAX_GRACE_SECONDS}; `SECRET_REUSED` if `newSecret` is one of the still-valid secrets;
 *   RotationLimitError if more than {@link MAX_VALID_SECRETS} previous secrets would stay valid;
 *   WebhookSecretError if `newSecret` is neither a valid secret nor a valid signing key.
 */
export function rotateSecrets(
  secrets: readonly EndpointSecret[],
  newSecret: string,
  now: Date,
  graceSeconds: number,
): EndpointSecret[] {
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_GRACE_SECONDS) {
    throw new RotationError(
      RotationErrorCode.GRACE_PERIOD_INVALID,
      `The grace period must be an integer from 0 to ${MAX_GRACE_SECONDS} seconds`,
    );
  }
  if (!isSigningSecret(newSecret)) {
    throw new WebhookSecretError(
      'The new secret is neither a valid whsec_ secret nor a valid whsk_ signing key',
    );
  }
  if (activeSecrets(secrets, now).includes(newSecret)) {
    throw new RotationError(
      RotationErrorCode.SECRET_REUSED,
      'The new secret is already one of the valid secrets',
    );
  }

  const graceEnd = new Date(now.getTime() + graceSeconds * 1000);
  const retired: EndpointSecret[] =
    graceSeconds === 0
      ? []
      : secrets.filter(isCurrent).map((entry) => ({
          secret: entry.secret,
          createdAt: new Date(entry.createdAt.getTime()),
          expiresAt: new Date(graceEnd.getTime()),
        }));
  const kept = secrets
    .filter((entry) => isValidPrevious(entry, now))
    .map((entry) => ({
      secret: entry.secret,
      createdAt: new Date(entry.createdAt.getTime()),
      expiresAt: entry.expiresAt === null ? null : new Date(entry.expiresAt.getTime()),
    }));
  const previous = [...retired, ...kept].sort(newestFirst);
  if (previous.length > MAX_VALID_SECRETS) {
    throw new RotationLimitError(
      `Rotating now would leave ${previous.length} previous secrets valid; at most ` +
        `${MAX_VALID_SECRETS} are allowed until some expire`,
    );
  }
  return [{ secret: newSecret, createdAt: new Date(now.getTime()), expiresAt: null }, ...previous];
}
