import {
  ALL_PERMISSIONS,
  ApiError,
  type ApiKeyService,
  type AuthContext,
  ErrorCode,
  PERMISSIONS,
  type PermissionGrant,
} from '@hookyard/api';
import { isObjectId } from '@hookyard/webhook-core';

/**
 * Who the CLI acts as: whoever runs it holds the database, so it may grant and revoke every
 * permission, as an all-permission operator key may.
 */
const CLI_CALLER: AuthContext = {
  keyId: null,
  organizationId: null,
  permissions: [ALL_PERMISSIONS],
  operator: true,
  endpointIds: null,
  portalSessionId: null,
};

/** What `operator-key create` makes, from its flags. */
export interface OperatorKeyRequest {
  readonly name: string;
  readonly permissions: readonly PermissionGrant[];
  readonly expiresAt?: string;
}

/**
 * Reads `--name` (default `operator`), `--permissions a,b` (default `*`) and `--expires-at <iso>`;
 * returns what is wrong when they do not make a key.
 */
export function readOperatorKeyRequest(flags: {
  name?: string;
  permissions?: string;
  'expires-at'?: string;
}): OperatorKeyRequest | { problem: string } {
  const permissions = (flags.permissions ?? ALL_PERMISSIONS)
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const known: readonly string[] = [ALL_PERMISSIONS, ...PERMISSIONS];
  const unknown = permissions.filter((p) => !known.includes(p));
  if (permissions.length === 0 || unknown.length > 0) {
    return {
      problem: `--permissions takes a comma list of ${known.join(', ')}${unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''}`,
    };
  }
  const expiresAt = flags['expires-at']?.trim();
  if (expiresAt !== undefined && Number.isNaN(Date.parse(expiresAt))) {
    return { problem: `--expires-at takes an ISO 8601 time, not ${expiresAt}` };
  }
  return {
    name: flags.name?.trim() || 'operator',
    permissions: permissions as PermissionGrant[],
    ...(expiresAt === undefined ? {} : { expiresAt: new Date(expiresAt).toISOString() }),
  };
}

/** `operator-key list`: one JSON line per live operator key, never the key itself. */
export async function listOperatorKeys(
  keys: ApiKeyService,
  out: NodeJS.WritableStream,
): Promise<number> {
  for (const key of await keys.listOperatorKeys()) {
    const line = {
      id: key.id,
      name: key.name,
      prefix: key.prefix,
      permissions: key.permissions,
      createdAt: key.createdAt.toISOString(),
      expiresAt: key.expiresAt?.toISOString() ?? null,
    };
    out.write(`${JSON.stringify(line)}\n`);
  }
  return 0;
}

/** `operator-key create`: one JSON line {"apiKey", "id"}; the key belongs to no organization. */
export async function createOperatorKey(
  keys: ApiKeyService,
  request: OperatorKeyRequest,
  out: NodeJS.WritableStream,
): Promise<number> {
  const { entity, key } = await keys.issue(CLI_CALLER, null, request, new Date());
  out.write(`${JSON.stringify({ apiKey: key, id: entity.id })}\n`);
  return 0;
}

/**
 * `operator-key revoke <id>`: revokes the key and the portal sessions it made; exit 1 when no live
 * operator key has the id. A running API stops honouring it within its key cache's time.
 */
export async function revokeOperatorKey(
  keys: ApiKeyService,
  id: string,
  err: NodeJS.WritableStream,
): Promise<number> {
  try {
    if (!isObjectId(id)) throw ApiError.notFound('API key');
    await keys.revoke(CLI_CALLER, null, id, new Date());
    return 0;
  } catch (error) {
    if (!(error instanceof ApiError && error.code === ErrorCode.NOT_FOUND)) throw error;
    err.write(`hookyard operator-key revoke: no live operator key has the id ${id}\n`);
    return 1;
  }
}
