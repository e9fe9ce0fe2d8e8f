import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  allowsEverything,
  byDialect,
  DEFAULT_THRESHOLDS,
  type DeliveryDialect,
  type DialectConfigs,
  dialectDefinition,
  type DialectSetting,
  dialectVariable,
  parseOutboundAllow,
  parseRetrySchedule,
  type StateThresholds,
} from '@hookyard/webhook-core';
import {
  atLeast16,
  bool,
  environmentName,
  httpBaseUrl,
  int,
  oneOf,
  postgresUrl,
  trustProxy,
} from './readers';

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
  readonly database: {
    readonly url: string | null;
    readonly dataDir: string;
    /** Connections of the API's pool (and of the CLI's). */
    readonly poolSize: number;
    /** Connections of the worker role's pool: its own, apart from the API's, when one process runs both. */
    readonly workerPoolSize: number;
    /** `statement_timeout` and `lock_timeout` of every connection, so a request fails instead of hanging. */
    readonly statementTimeoutMs: number;
    readonly lockTimeoutMs: number;
    /** How long a starting process waits for PostgreSQL to accept connections before it gives up. */
    readonly connectTimeoutSeconds: number;
  };
  readonly bootstrapApiKey: string | null;
  /** `HOOKYARD_BOOTSTRAP_OPERATOR_KEY`: an all-permission operator key ensured at start-up. */
  readonly bootstrapOperatorKey: string | null;
  /** Encrypts secrets at rest; null in embedded mode until the runtime loads or makes one. */
  readonly encryptionKey: VersionedKey | null;
  /** Older keys that still decrypt, while the re-encryption job moves their rows to the current one. */
  readonly previousEncryptionKeys: readonly VersionedKey[];
  readonly requireHttps: boolean;
  /** Local mode (`HOOKYARD_LOCAL`): plain HTTP to 127.0.0.1 only, for trying Hookyard on a laptop. */
  readonly localMode: boolean;
  readonly outboundAllow: readonly string[];
  /**
   * Each dialect's retry schedule and own settings, read from the variables the dialect registry
   * names (`HOOKYARD_RETRY_SCHEDULE` for the native dialect, `HOOKYARD_<DIALECT>_RETRY_SCHEDULE`
   * and `HOOKYARD_<DIALECT>_<SETTING>` for the others).
   */
  readonly dialects: DialectConfigs;
  readonly thresholds: StateThresholds;
  readonly endpointLimit: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** One JSON object per line, or pino-pretty's text; `auto` picks pretty when stdout is a TTY. */
  readonly logFormat: 'json' | 'pretty' | 'auto';
  /** OpenTelemetry traces over OTLP/HTTP: off while `endpoint` is null. */
  readonly tracing: { readonly endpoint: string | null; readonly serviceName: string | null };
  readonly retention: { readonly days: number; readonly intervalMs: number };
  /**
   * What keeps the admin API answering: token buckets in this process's memory (`perSecond` 0 =
   * off), one per API key or portal session for management and one for publishing, one per client
   * address for credential lookups and failed authentications; and the largest request body.
   */
  readonly limits: {
    readonly management: RateRule;
    readonly publishing: RateRule;
    readonly authFailures: RateRule;
    readonly maxBodyBytes: number;
  };
  /**
   * Express's `trust proxy`: how many proxy hops, or which proxy addresses, to believe about the
   * client address in `X-Forwarded-For`; 0 = none (the connection's address).
   */
  readonly trustProxy: number | readonly string[];
  /** Synchronous test sends in flight at once per organization; more answer 429. */
  readonly testSendConcurrency: number;
  /** How often the time-based state rules (pause, suspension) are applied to silent failing endpoints. */
  readonly healthSweepMs: number;
  /** The base URL of the links the API hands out (no trailing slash); null = the request's origin. */
  readonly publicUrl: string | null;
  /** The built console served at `/console`; null = `apps/console/dist` of this checkout. */
  readonly consoleDir: string | null;
  /**
   * When set, `GET /metrics` wants `Authorization: Bearer <token>`. Production requires one unless
   * `HOOKYARD_METRICS_PUBLIC` says otherwise.
   */
  readonly metricsToken: string | null;
  /** Production serves `/metrics` without a token only when this says so. */
  readonly metricsPublic: boolean;
  /** Adds an `organization_id` label to the per-event and per-delivery metrics (tenant data in labels). */
  readonly metricsPerOrg: boolean;
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

/** A token bucket: `perSecond` requests a second on average, `burst` at once; `perSecond` 0 = no limit. */
export interface RateRule {
  readonly perSecond: number;
  readonly burst: number;
}

/** A 32-byte key and the version stored values name it by (`v<version>.` prefix). */
export interface VersionedKey {
  readonly version: number;
  readonly key: Buffer;
}

/** Every bad variable at once, one line each (`problems`), so one failed start lists them all. */
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

  const databaseUrl = read('DATABASE_URL', postgresUrl, null);
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
  const rateRule = (prefix: string, fallback: RateRule): RateRule => ({
    perSecond: read(`${prefix}_PER_SECOND`, int(0, 1_000_000), fallback.perSecond),
    burst: read(`${prefix}_BURST`, int(1, 1_000_000), fallback.burst),
  });
  const localMode = read('HOOKYARD_LOCAL', bool, false);
  if (localMode && env['NODE_ENV'] === 'production')
    problems.push('HOOKYARD_LOCAL: local mode is refused with NODE_ENV=production');
  // A dialect's retry schedule and settings, each at the default its definition gives.
  const readDialect = (name: DeliveryDialect): Record<string, unknown> => {
    const definition = dialectDefinition(name);
    const settings: Readonly<Record<string, DialectSetting>> = definition.settings;
    return {
      retryScheduleMs: read(
        dialectVariable(name, 'retrySchedule'),
        parseRetrySchedule,
        parseRetrySchedule(definition.defaultRetrySchedule),
      ),
      ...Object.fromEntries(
        Object.entries(settings).map(([key, setting]) => [
          key,
          read<string | number>(dialectVariable(name, key), readerOf(setting), setting.default),
        ]),
      ),
    };
  };
  const defaults = DEFAULT_THRESHOLDS;
  const config: HookyardConfig = {
    port: read('PORT', int(0, 65535), 3000),
    workerPort: read('HOOKYARD_WORKER_PORT', int(0, 65535), 3001),
    host: read('HOST', (raw) => raw, localMode ? '127.0.0.1' : '0.0.0.0'),
    role: read('HOOKYARD_ROLE', oneOf<Role>('all', 'api', 'worker'), 'all'),
    database: {
      url: databaseUrl,
      dataDir: resolve(read('HOOKYARD_DATA_DIR', (raw) => raw, '.hookyard')),
      poolSize: read('HOOKYARD_DB_POOL_SIZE', int(1, 1000), 10),
      workerPoolSize: read('HOOKYARD_WORKER_DB_POOL_SIZE', int(1, 1000), 10),
      statementTimeoutMs: read('HOOKYARD_DB_STATEMENT_TIMEOUT_MS', int(1, 3_600_000), 10_000),
      lockTimeoutMs: read('HOOKYARD_DB_LOCK_TIMEOUT_MS', int(1, 3_600_000), 5_000),
      connectTimeoutSeconds: read('HOOKYARD_DB_CONNECT_TIMEOUT_SECONDS', int(0, 86_400), 60),
    },
    limits: {
      // 100/s per key is well above what a person or a deploy script does, far below what one API
      // process serves, so one key cannot take a process's management capacity from the others.
      management: rateRule('HOOKYARD_RATE_LIMIT', { perSecond: 100, burst: 200 }),
      // `npm start` ingests about 256 events/s on a 2-core machine: 300/s lets one key use a whole
      // process's ingest and no more, and the burst of 600 absorbs two seconds of a backlog flush.
      publishing: rateRule('HOOKYARD_PUBLISH_RATE_LIMIT', { perSecond: 300, burst: 600 }),
      // Lookups of unknown credentials per address: a person mistyping, a script misconfigured, never
      // a key-guessing run.
      authFailures: rateRule('HOOKYARD_AUTH_FAILURE_RATE_LIMIT', { perSecond: 10, burst: 20 }),
      maxBodyBytes: read('HOOKYARD_MAX_BODY_BYTES', int(1024, 100 * 1024 * 1024), 1_048_576),
    },
    trustProxy: read('HOOKYARD_TRUST_PROXY', trustProxy, 0),
    bootstrapApiKey: read('HOOKYARD_BOOTSTRAP_API_KEY', atLeast16, null),
    bootstrapOperatorKey: read('HOOKYARD_BOOTSTRAP_OPERATOR_KEY', atLeast16, null),
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
    dialects: byDialect(readDialect) as DialectConfigs,
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
    logFormat: read<HookyardConfig['logFormat']>(
      'HOOKYARD_LOG_FORMAT',
      oneOf<'json' | 'pretty'>('json', 'pretty'),
      'auto',
    ),
    tracing: {
      endpoint: read('OTEL_EXPORTER_OTLP_ENDPOINT', httpBaseUrl, null),
      serviceName: read('OTEL_SERVICE_NAME', (raw) => raw, null),
    },
    retention: {
      days: read('HOOKYARD_RETENTION_DAYS', int(1, 3650), 30),
      intervalMs: read('HOOKYARD_RETENTION_INTERVAL_SECONDS', int(10, 7 * 86400), 3600) * 1000,
    },
    healthSweepMs: read('HOOKYARD_HEALTH_SWEEP_SECONDS', int(1, 86400), 60) * 1000,
    publicUrl: read('HOOKYARD_PUBLIC_URL', httpBaseUrl, null),
    consoleDir: read('HOOKYARD_CONSOLE_DIR', (raw) => resolve(raw), null),
    metricsToken: read('HOOKYARD_METRICS_TOKEN', atLeast16, null),
    metricsPublic: read('HOOKYARD_METRICS_PUBLIC', bool, false),
    metricsPerOrg: read('HOOKYARD_METRICS_PER_ORG', bool, false),
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
  if (env['NODE_ENV'] === 'production') problems.push(...productionProblems(config, problems));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** How a dialect setting of each kind is read. */
function readerOf(setting: DialectSetting): (raw: string) => string | number {
  switch (setting.kind) {
    case 'integer':
      return int(setting.min, setting.max);
    case 'name':
      return environmentName;
  }
}

/**
 * What production refuses to guess: the origin of the portal links the API hands out (else a
 * request's Host header picks it), and whether anyone may read `/metrics` (with per-organization
 * labels it lists tenants and their volumes).
 */
function productionProblems(config: HookyardConfig, earlier: readonly string[]): string[] {
  const problems: string[] = [];
  const reported = (name: string) => earlier.some((p) => p.startsWith(`${name}:`));
  if (config.role !== 'worker' && config.publicUrl === null && !reported('HOOKYARD_PUBLIC_URL'))
    problems.push(
      'HOOKYARD_PUBLIC_URL: required with NODE_ENV=production, as the base of the portal links the API hands out (e.g. https://hooks.example.com)',
    );
  if (config.metricsToken === null && !config.metricsPublic && !reported('HOOKYARD_METRICS_TOKEN'))
    problems.push(
      'HOOKYARD_METRICS_TOKEN: required with NODE_ENV=production (16 characters or more), or set HOOKYARD_METRICS_PUBLIC=true to serve /metrics to anyone',
    );
  return problems;
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
