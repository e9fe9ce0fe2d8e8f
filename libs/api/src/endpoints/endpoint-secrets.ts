import { Logger } from '@nestjs/common';
import {
  type EndpointEntity,
  type EndpointRepository,
  EndpointSecretEntity,
  ENCRYPTED_COLUMNS,
  type SecretCipher,
  secretBinding,
} from '@hookyard/data-access';
import {
  activeSecrets,
  type EndpointSecret,
  generateSecretFor,
  isSigningSecret,
  type ObjectIdGenerator,
  rotateSecrets,
  RotationError,
  type RotationErrorCode,
  shareableKey,
  signingProtocolOf,
} from '@hookyard/webhook-core';
import { ApiError, ErrorCode } from '../common/api-error';
import { type EndpointInput, type SecretRoll, type SecretSet } from './endpoint-input';

const ROTATION_ERRORS: Record<RotationErrorCode, [ErrorCode, string]> = {
  GRACE_PERIOD_INVALID: [ErrorCode.GRACE_PERIOD_INVALID, 'gracePeriodSeconds'],
  ROTATION_LIMIT_REACHED: [ErrorCode.ROTATION_LIMIT_REACHED, 'gracePeriodSeconds'],
  SECRET_REUSED: [ErrorCode.SECRET_INVALID, 'secret'],
};

/**
 * An endpoint's secrets for `EndpointsService`: signing secrets rolled inside the caller's
 * transaction, encrypted into rows, decrypted and shown as a `SecretSet` (an Ed25519 key as its
 * public key), and the outbound password or API key encrypted onto the endpoint.
 */
export class EndpointSecrets {
  private readonly logger = new Logger('Endpoints');

  constructor(
    private readonly cipher: SecretCipher,
    private readonly ids: ObjectIdGenerator,
  ) {}

  /** Replaces the secret of a locked endpoint: a new one (of the roll's protocol, else the current one's). */
  async roll(
    repository: EndpointRepository,
    endpoint: EndpointEntity,
    roll: SecretRoll,
    newSecret: string | undefined,
    now: Date,
  ): Promise<EndpointSecretEntity[]> {
    const { organizationId, id } = endpoint;
    const current = this.decrypt(await repository.secrets(organizationId, id));
    const [newest] = activeSecrets(current, now);
    const protocol = roll.protocol ?? (newest ? signingProtocolOf(newest) : 'HmacSHA256');
    let rotated: EndpointSecret[];
    try {
      rotated = rotateSecrets(
        current,
        newSecret ?? generateSecretFor(protocol),
        now,
        roll.graceSeconds,
      );
    } catch (error) {
      if (error instanceof RotationError) {
        const [code, path] = ROTATION_ERRORS[error.code];
        throw ApiError.validation([{ path, message: error.message }], code);
      }
      throw error;
    }
    const kept = roll.revokePrevious ? rotated.slice(0, 1) : rotated;
    const rows = kept.map((s) => this.row(organizationId, id, s.secret, s.createdAt, s.expiresAt));
    await repository.replaceSecrets(organizationId, id, rows);
    this.logger.log(`endpoint ${id} secret rotated (grace ${roll.graceSeconds}s)`);
    return rows;
  }

  setOf(rows: readonly EndpointSecretEntity[], now: Date): SecretSet {
    // Every endpoint holds a secret: none means it was deleted since it was read (a roll answered
    // after a concurrent delete), which is a 404, not a broken endpoint.
    if (rows.length === 0) throw ApiError.notFound('endpoint');
    const secrets = this.decrypt(rows);
    const current = secrets.find((s) => s.expiresAt === null);
    if (!current) throw new Error('endpoint has no current secret');
    const previous = secrets
      .filter((s) => s.expiresAt !== null && s.expiresAt > now)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((s) => ({
        secret: shareableKey(s.secret),
        protocol: signingProtocolOf(s.secret),
        expiresAt: s.expiresAt as Date,
      }));
    return {
      current: shareableKey(current.secret),
      currentProtocol: signingProtocolOf(current.secret),
      currentSince: current.createdAt,
      previous,
    };
  }

  row(
    organizationId: string,
    endpointId: string,
    secret: string,
    createdAt: Date,
    expiresAt: Date | null,
  ): EndpointSecretEntity {
    const id = this.ids.next(createdAt);
    return Object.assign(new EndpointSecretEntity(), {
      id,
      organizationId,
      endpointId,
      secretEnc: this.cipher.encrypt(
        secret,
        secretBinding(organizationId, ENCRYPTED_COLUMNS.signingSecret, id),
      ),
      keyVersion: this.cipher.currentVersion,
      createdAt,
      expiresAt,
    });
  }

  assertValid(secret: string): void {
    if (isSigningSecret(secret)) return;
    throw ApiError.validation(
      [
        {
          path: 'secret',
          message: 'must be whsec_ followed by base64 of 24 to 64 bytes, or a whsk_ Ed25519 key',
        },
      ],
      ErrorCode.SECRET_INVALID,
    );
  }

  private decrypt(rows: readonly EndpointSecretEntity[]): EndpointSecret[] {
    return rows.map((row) => ({
      secret: this.cipher.decrypt(
        row.secretEnc,
        secretBinding(row.organizationId, ENCRYPTED_COLUMNS.signingSecret, row.id),
      ),
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
    }));
  }

  /**
   * Sets an endpoint's outbound authentication, its password or API key encrypted like a secret (the
   * endpoint's id must be set: the value is bound to it).
   */
  applyAuthentication(
    endpoint: EndpointEntity,
    auth: NonNullable<EndpointInput['authentication']>,
  ): void {
    const binding = secretBinding(
      endpoint.organizationId,
      ENCRYPTED_COLUMNS.authSecret,
      endpoint.id,
    );
    endpoint.authType = auth.type;
    endpoint.authUsername = auth.type === 'basic' ? auth.username : null;
    endpoint.authHeaderName = auth.type === 'api_key' ? auth.headerName : null;
    endpoint.authSecretEnc =
      auth.type === 'basic'
        ? this.cipher.encrypt(auth.password, binding)
        : auth.type === 'api_key'
          ? this.cipher.encrypt(auth.apiKey, binding)
          : null;
  }
}
