import {
  DEFAULT_THRESHOLDS,
  DIALECTS,
  type DialectSetting,
  dialectVariable,
} from '@hookyard/webhook-core';

/** How one variable is documented; a `sensitive` one's value is never logged. */
interface VariableSpec {
  readonly description: string;
  readonly sensitive?: boolean;
}

/** Each dialect's variables, in the registry's order: its retry schedule, then its own settings. */
function dialectVariables(): Record<string, VariableSpec> {
  return Object.fromEntries(
    DIALECTS.flatMap((dialect) => {
      const settings: Readonly<Record<string, DialectSetting>> = dialect.settings;
      return [
        [
          dialectVariable(dialect.name, 'retrySchedule'),
          { description: dialect.retryScheduleDescription },
        ],
        ...Object.entries(settings).map(([key, setting]) => [
          dialectVariable(dialect.name, key),
          { description: setting.description },
        ]),
      ];
    }),
  ) as Record<string, VariableSpec>;
}

/**
 * Every variable Hookyard reads, documented. The README's configuration table mirrors this list
 * (`readme-table.spec.ts` fails when the two drift apart).
 */
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
  HOOKYARD_DB_POOL_SIZE: {
    description:
      'Connections of the API pool (default 10); a worker process uses HOOKYARD_WORKER_DB_POOL_SIZE instead.',
  },
  HOOKYARD_WORKER_DB_POOL_SIZE: {
    description:
      "Connections of the worker role's own pool (default 10), apart from the API's when one process runs both.",
  },
  HOOKYARD_DB_STATEMENT_TIMEOUT_MS: {
    description:
      'statement_timeout of every database connection: a longer statement fails (the API answers 503) instead of hanging (default 10000).',
  },
  HOOKYARD_DB_LOCK_TIMEOUT_MS: {
    description:
      'lock_timeout of every database connection: a statement waiting longer on a lock fails (503) (default 5000).',
  },
  HOOKYARD_DB_CONNECT_TIMEOUT_SECONDS: {
    description:
      'How long a starting process retries (with backoff) a PostgreSQL that refuses connections before it exits 1; 0 = no retry (default 60).',
  },
  HOOKYARD_DATA_DIR: {
    description: 'Where embedded mode keeps its data and key (default .hookyard).',
  },
  HOOKYARD_ROLE: { description: 'all | api | worker (default all).' },
  HOOKYARD_BOOTSTRAP_API_KEY: {
    description:
      'Ensures a default organization holding this key (all permissions); a new value replaces the old key.',
    sensitive: true,
  },
  HOOKYARD_BOOTSTRAP_OPERATOR_KEY: {
    description:
      'Ensures an operator key (no organization, all permissions) with this value; a new value revokes the old key.',
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
  ...dialectVariables(),
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
  HOOKYARD_LOG_FORMAT: {
    description:
      'json (one JSON object per line) | pretty (default: pretty when stdout is a terminal, else json).',
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    description:
      'Base URL of an OTLP/HTTP collector (traces go to <url>/v1/traces); unset = no tracing.',
  },
  OTEL_SERVICE_NAME: {
    description:
      'service.name of the traces (default hookyard for both roles in one process, hookyard-api for the API role, hookyard-worker for a worker).',
  },
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
      'When set, GET /metrics answers only to Authorization: Bearer <token> (16 characters or more); required with NODE_ENV=production unless HOOKYARD_METRICS_PUBLIC is true.',
    sensitive: true,
  },
  HOOKYARD_METRICS_PUBLIC: {
    description:
      'Serves /metrics without a token with NODE_ENV=production (default false: production needs HOOKYARD_METRICS_TOKEN).',
  },
  HOOKYARD_METRICS_PER_ORG: {
    description:
      'Adds an organization_id label to hookyard_events_accepted_total and the delivery metrics (default false: every series sums all organizations; true puts tenant ids in labels).',
  },
  HOOKYARD_HEALTH_SWEEP_SECONDS: {
    description:
      'How often a worker applies the time-based pause and suspension rules (default 60).',
  },
  HOOKYARD_TEST_SEND_CONCURRENCY: {
    description: 'Synchronous test sends in flight per organization (default 5).',
  },
  HOOKYARD_RATE_LIMIT_PER_SECOND: {
    description:
      'Management requests (everything but publishing) per second each API key or portal session may make, per process (default 100; 0 = no limit); above it 429 RATE_LIMITED with Retry-After.',
  },
  HOOKYARD_RATE_LIMIT_BURST: {
    description:
      'Management requests a key may make at once above the per-second rate (default 200).',
  },
  HOOKYARD_PUBLISH_RATE_LIMIT_PER_SECOND: {
    description:
      'Publishing requests (POST /v1/events and /v1/events/batch) per second each API key or portal session may make, per process, in a bucket apart from management (default 300; 0 = no limit).',
  },
  HOOKYARD_PUBLISH_RATE_LIMIT_BURST: {
    description: 'Publishing requests a key may make at once above its rate (default 600).',
  },
  HOOKYARD_AUTH_FAILURE_RATE_LIMIT_PER_SECOND: {
    description:
      'Credential lookups and failed authentications per second per client address, per process (default 10; 0 = no limit); an address past it gets 429 before any database lookup.',
  },
  HOOKYARD_AUTH_FAILURE_RATE_LIMIT_BURST: {
    description:
      'Credential lookups and failed authentications an address may make at once (default 20).',
  },
  HOOKYARD_TRUST_PROXY: {
    description:
      'Which proxies in front of the API to believe about the client address (X-Forwarded-For): a hop count, or a comma list of IP addresses or CIDRs (default none: the address of the connection).',
  },
  HOOKYARD_MAX_BODY_BYTES: {
    description:
      'Largest JSON request body; a larger one answers 413 PAYLOAD_TOO_LARGE (default 1048576).',
  },
  HOOKYARD_PUBLIC_URL: {
    description:
      'The base URL users reach the API at, for the links it hands out (portal session URLs); required with NODE_ENV=production for the API; unset elsewhere = the origin of the request that asks for one.',
  },
  HOOKYARD_CONSOLE_DIR: {
    description:
      'The built web console served at /console (default: apps/console/dist of this checkout).',
  },
  NODE_ENV: {
    description:
      'production refuses an outbound allow-list that lets every address through and local mode, and requires HOOKYARD_PUBLIC_URL (API) and HOOKYARD_METRICS_TOKEN (or HOOKYARD_METRICS_PUBLIC).',
  },
};
