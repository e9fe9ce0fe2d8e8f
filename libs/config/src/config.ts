import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  allowsEverything,
  DEFAULT_RETRY_SCHEDULE,
  DEFAULT_THRESHOLDS,
  DEFAULT_GRACE_SECONDS,
  DEFAULT_PLATFORM_ENVIRONMENT,
  FEATUREBASE_RETRY_SCHEDULE,
  MAX_GRACE_SECONDS,
  parseOutboundAllow,
  PLATFORM_RETRY_SCHEDULE,
  parseRetrySchedule,
  type StateThresholds,
} from '@hookyard/webhook-core';

export type Role = 'all' | 'api' | 'worker';

/** What local mode lets through the SSRF guard: the loopback addresses, nothing else. */
const LOCAL_MODE_ALLOW = ['127.0.0.1/32', '::1/128'];

/** The whole configuration, validated once at start-up; nothing else reads `process.env`. */
export interface HookyardConfig {
  readonly port: number;
  readonly host: string;
  /** Port of the worker app's `/healthz`, `/readyz` and `/metrics`. */
  readonly workerPort: number;
  readonly role: Role;
  readonly database: { readonly url: string | null; readonly dataDir: string };
  readonly bootstrapApiKey: string | null;
  /** Encrypts secrets at rest; null in embedded mode until the runtime loads or makes one. */
  readonly encryptionKey: VersionedKey | null;
  /** Older keys that still decrypt, while the re-encryption job moves their rows to the current one. */
  readonly previousEncryptionKeys: readonly VersionedKey[];
  readonly requireHttps: boolean;
  /** Local mode (`HOOKYARD_LOCAL`): plain HTTP to 127.0.0.1 only, for trying Hookyard on a laptop. */
  readonly localMode: boolean;
  readonly outboundAllow: readonly string[];
  readonly retryScheduleMs: readonly number[];
  /** Endpoints made through the Featurebase dialect follow Featurebase's documented schedule by default. */
  readonly featurebaseRetryScheduleMs: readonly number[];
  /** The platform dialect: its retry schedule, the `environment` of its envelope, its roll grace window. */
  readonly platform: {
    readonly retryScheduleMs: readonly number[];
    readonly environment: string;
    readonly secretGraceSeconds: number;
  };
  readonly thresholds: StateThresholds;
  readonly endpointLimit: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  readonly retention: { readonly days: number; readonly intervalMs: number };
  /** Synchronous test sends in flight at once per organization; more answer 429. */
  readonly testSendConcurrency: number;
  /** How often the time-based state rules (pause, suspension) are applied to silent failing endpoints. */
  readonly healthSweepMs: number;
  /** When set, `GET /metrics` wants `Authorization: Bearer <token>`. */
  readonly metricsToken: string | null;
  /** How often a worker moves secrets on an older encryption key to the current one. */
  readonly reencryptMs: number;
  readonly worker: {
    readonly leaseMs: number;
    readonly pollIntervalMs: number;
    readonly concurrency: number;
    readonly endpointConcurrency: number;
    readonly shutdownGraceMs: number;
    readonly responseBodyLimit: number;
  };
}

interface VariableSpec {
  readonly description: string;
  readonly sensitive?: boolean;
}

/** Every variable Hookyard reads, documented (the README table mirrors this list). */
export const CONFIG_VARIABLES: Readonly<Record<string, VariableSpec>> = {
  PORT: { description: 'HTTP port of the API (default 3000).' },
  HOOKYARD_WORKER_PORT: {
    description:
      'HTTP port of the worker app (apps/worker) for /healthz, /readyz and /metrics (default 3001).',
  },
  HOST: { description: 'Interface the API binds to (default 0.0.0.0).' },
  DATABASE_URL: {
    description: 'PostgreSQL URL; unset = embedded PostgreSQL under HOOKYARD_DATA_DIR.',
    sensitive: true,
  },
  HOOKYARD_DATA_DIR: {
    description: 'Where embedded mode keeps its data and key (default .hookyard).',
  },
  HOOKYARD_ROLE: { description: 'all | api | worker (default all).' },
  HOOKYARD_BOOTSTRAP_API_KEY: {
    description: 'Ensures a default organization holding this key (all permissions).',
    sensitive: true,
  },
  HOOKYARD_ENCRYPTION_KEY: {
    description: '32-byte key (base64 or hex) for secrets at rest; required with DATABASE_URL.',
    sensitive: true,
  },
  HOOKYARD_ENCRYPTION_KEYS_PREVIOUS: {
    description:
      'Comma list of <version>:<key> that still decrypt while a worker re-encrypts their rows with the current key.',
    sensitive: true,
  },
  HOOKYARD_REQUIRE_HTTPS: { description: 'Refuse plain-http endpoint URLs (default true).' },
  HOOKYARD_LOCAL: {
    description:
      'Local mode for trying Hookyard on one machine: plain http to 127.0.0.1, [::1] and localhost only, the API bound to 127.0.0.1 (default false; refused with NODE_ENV=production).',
  },
  HOOKYARD_OUTBOUND_ALLOW: {
    description: 'Comma list of CIDRs or host names the SSRF guard lets through (default empty).',
  },
  HOOKYARD_RETRY_SCHEDULE: {
    description: `Comma list of retry delays (default ${DEFAULT_RETRY_SCHEDULE}).`,
  },
  HOOKYARD_FEATUREBASE_RETRY_SCHEDULE: {
    description:
      'Retry delays for endpoints of the Featurebase dialect (default 1m,1h,6h, as Featurebase documents).',
  },
  HOOKYARD_PLATFORM_RETRY_SCHEDULE: {
    description:
      'Retry delays for endpoints of the platform dialect (default 2m,4m,8m,16m,32m,1h,2h,4h,8h, then every 8h until 7 days have passed).',
  },
  HOOKYARD_PLATFORM_ENVIRONMENT: {
    description: `The \`environment\` of the platform dialect's delivery envelope (default ${DEFAULT_PLATFORM_ENVIRONMENT}).`,
  },
  HOOKYARD_PLATFORM_SECRET_GRACE_SECONDS: {
    description: `How long a rolled platform secret keeps signing (default ${DEFAULT_GRACE_SECONDS}, 24 h; at most 604800).`,
  },
  HOOKYARD_PENALTY_AFTER: {
    description: `Consecutive failures before the penalty box (default ${DEFAULT_THRESHOLDS.penaltyAfter}).`,
  },
  HOOKYARD_PAUSE_AFTER: {
    description: `Consecutive failures before auto-pause (default ${DEFAULT_THRESHOLDS.pauseAfter}).`,
  },
  HOOKYARD_PAUSE_AFTER_SECONDS: {
    description: 'Seconds of unbroken failure before auto-pause (default 86400).',
  },
  HOOKYARD_SUSPEND_AFTER_SECONDS: {
    description: 'Seconds of unbroken failure before suspension (default 432000).',
  },
  HOOKYARD_PENALTY_COOLDOWN_SECONDS: {
    description:
      'First penalty-box cool-down; it doubles per failed probe up to an hour (default 30).',
  },
  HOOKYARD_ENDPOINT_LIMIT: { description: 'Endpoints per organization (default 10).' },
  HOOKYARD_LOG_LEVEL: { description: 'debug | info | warn | error | silent (default info).' },
  HOOKYARD_LEASE_SECONDS: {
    description:
      'How long a claimed delivery stays claimed without a heartbeat (default 60; above the 30 s maximum timeout).',
  },
  HOOKYARD_POLL_INTERVAL_MS: {
    description: 'How often an idle worker looks for due deliveries (default 250).',
  },
  HOOKYARD_WORKER_CONCURRENCY: {
    description: 'Requests in flight at once per worker process (default 64).',
  },
  HOOKYARD_ENDPOINT_CONCURRENCY: {
    description: 'Requests in flight at once to one endpoint per worker (default 16).',
  },
  HOOKYARD_SHUTDOWN_GRACE_SECONDS: {
    description: 'How long SIGTERM waits for in-flight attempts (default 15).',
  },
  HOOKYARD_RESPONSE_BODY_LIMIT: {
    description: 'Bytes of a response body read at most (default 65536).',
  },
  HOOKYARD_RETENTION_DAYS: {
    description: 'Attempts and finished events older than this are deleted (default 30).',
  },
  HOOKYARD_RETENTION_INTERVAL_SECONDS: {
    description: 'How often the retention job runs in a worker (default 3600).',
  },
  HOOKYARD_REENCRYPT_INTERVAL_SECONDS: {
    description:
      'How often a worker re-encrypts secrets still on a previous encryption key (default 600; also at start).',
  },
  HOOKYARD_METRICS_TOKEN: {
    description:
      'When set, GET /metrics answers only to Authorization: Bearer <token> (16 characters or more).',
    sensitive: true,
  },
  HOOKYARD_HEALTH_SWEEP_SECONDS: {
    description:
      'How often a worker applies the time-based pause and suspension rules (default 60).',
  },
  HOOKYARD_TEST_SEND_CONCURRENCY: {
    description: 'Synchronous test sends in flight per organization (default 5).',
  },
  NODE_ENV: {
    description: 'production refuses an outbound allow-list that lets every address through.',
  },
};

/** A 32-byte key and the version stored values name it by (`v<version>.` prefix). */
export interface VersionedKey {
  readonly version: number;
  readonly key: Buffer;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment; throws one ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): HookyardConfig {
  const problems: string[] = [];
  const read = <T>(name: string, parse: (raw: string) => T, fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    try {
      return parse(raw.trim());
    } catch (error) {
      problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      return fallback;
    }
  };
  const int = (min: number, max: number) => (raw: string) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`must be an integer from ${min} to ${max}`);
    return value;
  };
  const bool = (raw: string) => {
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    throw new Error('must be true or false');
  };
  const environmentName = (raw: string): string => {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(raw))
      throw new Error('must be 1 to 64 letters, digits, _ or -');
    return raw;
  };
  const atLeast16 = (raw: string): string => {
    if (raw.length < 16) throw new Error('must be at least 16 characters');
    return raw;
  };
  const oneOf =
    <T extends string>(...values: T[]) =>
    (raw: string): T => {
      if (!(values as string[]).includes(raw))
        throw new Error(`must be one of ${values.join(', ')}`);
      return raw as T;
    };

  const databaseUrl = read(
    'DATABASE_URL',
    (raw) => {
      if (!/^postgres(ql)?:\/\//.test(raw)) throw new Error('must be a postgres:// URL');
      return raw;
    },
    null,
  );
  const encryptionKey = read('HOOKYARD_ENCRYPTION_KEY', parseVersionedKey, null);
  const previousEncryptionKeys = read(
    'HOOKYARD_ENCRYPTION_KEYS_PREVIOUS',
    (raw) => {
      const keys = raw.split(',').map((entry) => {
        if (!/^\d+:/.test(entry.trim())) throw new Error('each entry must read <version>:<key>');
        return parseVersionedKey(entry.trim());
      });
      const versions = [encryptionKey?.version ?? 1, ...keys.map((k) => k.version)];
      if (new Set(versions).size !== versions.length)
        throw new Error('key versions must differ from each other and from the current key');
      return keys;
    },
    [],
  );
  if (
    databaseUrl &&
    !encryptionKey &&
    !problems.some((p) => p.startsWith('HOOKYARD_ENCRYPTION_KEY:'))
  ) {
    problems.push(
      'HOOKYARD_ENCRYPTION_KEY: required when DATABASE_URL is set (32 bytes, base64 or hex)',
    );
  }
  const localMode = read('HOOKYARD_LOCAL', bool, false);
  if (localMode && env['NODE_ENV'] === 'production')
    problems.push('HOOKYARD_LOCAL: local mode is refused with NODE_ENV=production');
  const defaults = DEFAULT_THRESHOLDS;
  const config: HookyardConfig = {
    port: read('PORT', int(0, 65535), 3000),
    workerPort: read('HOOKYARD_WORKER_PORT', int(0, 65535), 3001),
    host: read('HOST', (raw) => raw, localMode ? '127.0.0.1' : '0.0.0.0'),
    role: read('HOOKYARD_ROLE', oneOf<Role>('all', 'api', 'worker'), 'all'),
    database: {
      url: databaseUrl,
      dataDir: resolve(read('HOOKYARD_DATA_DIR', (raw) => raw, '.hookyard')),
    },
    bootstrapApiKey: read('HOOKYARD_BOOTSTRAP_API_KEY', atLeast16, null),
    encryptionKey,
    previousEncryptionKeys,
    requireHttps: read('HOOKYARD_REQUIRE_HTTPS', bool, true),
    localMode,
    outboundAllow: [
      ...(localMode ? LOCAL_MODE_ALLOW : []),
      ...read(
        'HOOKYARD_OUTBOUND_ALLOW',
        (raw) => {
          const entries = raw
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          const policy = parseOutboundAllow(entries);
          if (env['NODE_ENV'] === 'production' && allowsEverything(policy)) {
            throw new Error(
              'lets every address through (0.0.0.0/0 or ::/0): refused in production',
            );
          }
          return entries;
        },
        [],
      ),
    ],
    retryScheduleMs: read(
      'HOOKYARD_RETRY_SCHEDULE',
      parseRetrySchedule,
      parseRetrySchedule(DEFAULT_RETRY_SCHEDULE),
    ),
    featurebaseRetryScheduleMs: read(
      'HOOKYARD_FEATUREBASE_RETRY_SCHEDULE',
      parseRetrySchedule,
      parseRetrySchedule(FEATUREBASE_RETRY_SCHEDULE),
    ),
    platform: {
      retryScheduleMs: read(
        'HOOKYARD_PLATFORM_RETRY_SCHEDULE',
        parseRetrySchedule,
        parseRetrySchedule(PLATFORM_RETRY_SCHEDULE),
      ),
      environment: read(
        'HOOKYARD_PLATFORM_ENVIRONMENT',
        environmentName,
        DEFAULT_PLATFORM_ENVIRONMENT,
      ),
      secretGraceSeconds: read(
        'HOOKYARD_PLATFORM_SECRET_GRACE_SECONDS',
        int(0, MAX_GRACE_SECONDS),
        DEFAULT_GRACE_SECONDS,
      ),
    },
    thresholds: {
      ...defaults,
      penaltyAfter: read('HOOKYARD_PENALTY_AFTER', int(1, 1_000_000), defaults.penaltyAfter),
      pauseAfter: read('HOOKYARD_PAUSE_AFTER', int(1, 1_000_000), defaults.pauseAfter),
      penaltyBaseMs:
        read('HOOKYARD_PENALTY_COOLDOWN_SECONDS', int(1, 86400), defaults.penaltyBaseMs / 1000) *
        1000,
      pauseAfterMs:
        read('HOOKYARD_PAUSE_AFTER_SECONDS', int(1, 365 * 86400), defaults.pauseAfterMs / 1000) *
        1000,
      suspendAfterMs:
        read(
          'HOOKYARD_SUSPEND_AFTER_SECONDS',
          int(1, 365 * 86400),
          defaults.suspendAfterMs / 1000,
        ) * 1000,
    },
    endpointLimit: read('HOOKYARD_ENDPOINT_LIMIT', int(0, 1_000_000), 10),
    logLevel: read('HOOKYARD_LOG_LEVEL', oneOf('debug', 'info', 'warn', 'error', 'silent'), 'info'),
    retention: {
      days: read('HOOKYARD_RETENTION_DAYS', int(1, 3650), 30),
      intervalMs: read('HOOKYARD_RETENTION_INTERVAL_SECONDS', int(10, 7 * 86400), 3600) * 1000,
    },
    healthSweepMs: read('HOOKYARD_HEALTH_SWEEP_SECONDS', int(1, 86400), 60) * 1000,
    metricsToken: read('HOOKYARD_METRICS_TOKEN', atLeast16, null),
    reencryptMs: read('HOOKYARD_REENCRYPT_INTERVAL_SECONDS', int(10, 86400), 600) * 1000,
    testSendConcurrency: read('HOOKYARD_TEST_SEND_CONCURRENCY', int(1, 1000), 5),
    worker: {
      leaseMs: read('HOOKYARD_LEASE_SECONDS', int(2, 3600), 60) * 1000,
      pollIntervalMs: read('HOOKYARD_POLL_INTERVAL_MS', int(10, 60_000), 250),
      concurrency: read('HOOKYARD_WORKER_CONCURRENCY', int(1, 1000), 64),
      endpointConcurrency: read('HOOKYARD_ENDPOINT_CONCURRENCY', int(1, 100), 16),
      shutdownGraceMs: read('HOOKYARD_SHUTDOWN_GRACE_SECONDS', int(0, 600), 15) * 1000,
      responseBodyLimit: read('HOOKYARD_RESPONSE_BODY_LIMIT', int(1024, 10 * 1024 * 1024), 65536),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** `<key>` (version 1) or `<version>:<key>`, the version from 1 to 9999. */
function parseVersionedKey(raw: string): VersionedKey {
  const match = /^(\d{1,4}):(.+)$/.exec(raw);
  const version = match ? Number(match[1]) : 1;
  if (version < 1) throw new Error('a key version must be from 1 to 9999');
  return { version, key: parseKey(match ? match[2] : raw) };
}

function parseKey(raw: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32)
    throw new Error('must decode to exactly 32 bytes (base64 or 64 hex characters)');
  return key;
}

/**
 * Embedded mode keeps its own encryption key beside its data, made on first start.
 * Returns the key and whether it was just made.
 */
export function loadOrCreateEmbeddedKey(dataDir: string): { key: Buffer; created: boolean } {
  const path = join(dataDir, 'encryption.key');
  if (existsSync(path)) return { key: parseKey(readFileSync(path, 'utf8').trim()), created: false };
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600 });
  return { key, created: true };
}
