import { DIALECTS, type DialectSetting, dialectVariable } from '@hookyard/webhook-core';
import { ConfigError, loadConfig } from './config';
import { CONFIG_VARIABLES } from './variables';

const KEY = Buffer.alloc(32, 1).toString('base64');

/** Bad values of every dialect's variables by the kind of setting, where the list below names none. */
function dialectBadValues(): Record<string, readonly string[]> {
  return Object.fromEntries(
    DIALECTS.flatMap((dialect) => {
      const settings: Readonly<Record<string, DialectSetting>> = dialect.settings;
      return [
        [dialectVariable(dialect.name, 'retrySchedule'), ['5x']],
        ...Object.entries(settings).map(([key, setting]) => [
          dialectVariable(dialect.name, key),
          setting.kind === 'integer'
            ? [String(setting.min - 1), String(setting.max + 1)]
            : ['has space'],
        ]),
      ];
    }),
  ) as Record<string, readonly string[]>;
}

/** Values each variable refuses on its own: malformed ones, and one past each end of a range. */
const BAD_VALUES: Readonly<Record<string, readonly string[]>> = {
  ...dialectBadValues(),
  PORT: ['abc', '80.5', '-1', '65536'],
  HOOKYARD_WORKER_PORT: ['abc', '-1', '65536'],
  DATABASE_URL: ['mysql://x', '127.0.0.1:5432'],
  HOOKYARD_ROLE: ['chef', 'ALL'],
  HOOKYARD_BOOTSTRAP_API_KEY: ['short'],
  HOOKYARD_BOOTSTRAP_OPERATOR_KEY: ['short'],
  HOOKYARD_ENCRYPTION_KEY: ['short', `0:${KEY}`, Buffer.alloc(16, 1).toString('hex')],
  // Unversioned; too short; the same version as the current key (1 when none is given).
  HOOKYARD_ENCRYPTION_KEYS_PREVIOUS: [KEY, '2:abcd', `1:${KEY}`],
  HOOKYARD_REQUIRE_HTTPS: ['maybe'],
  HOOKYARD_LOCAL: ['maybe'],
  HOOKYARD_OUTBOUND_ALLOW: ['10.0.0.1/8', '10.0.0.0/33'],
  HOOKYARD_RETRY_SCHEDULE: ['5x', '5s,,5m'],
  HOOKYARD_FEATUREBASE_RETRY_SCHEDULE: ['5x', '1m,'],
  HOOKYARD_PLATFORM_RETRY_SCHEDULE: ['5x', '-2m'],
  HOOKYARD_PLATFORM_ENVIRONMENT: ['has space', 'x'.repeat(65)],
  HOOKYARD_PLATFORM_SECRET_GRACE_SECONDS: ['-1', '604801'],
  HOOKYARD_PENALTY_AFTER: ['0', '1000001'],
  HOOKYARD_PAUSE_AFTER: ['0', '1000001'],
  HOOKYARD_PAUSE_AFTER_SECONDS: ['0', String(365 * 86400 + 1)],
  HOOKYARD_SUSPEND_AFTER_SECONDS: ['0', String(365 * 86400 + 1)],
  HOOKYARD_PENALTY_COOLDOWN_SECONDS: ['0', '86401'],
  HOOKYARD_ENDPOINT_LIMIT: ['-1', '1000001'],
  HOOKYARD_LOG_LEVEL: ['verbose', 'INFO'],
  HOOKYARD_LOG_FORMAT: ['xml', 'auto'],
  OTEL_EXPORTER_OTLP_ENDPOINT: ['collector:4318', 'grpc://collector:4317'],
  HOOKYARD_LEASE_SECONDS: ['1', '3601'],
  HOOKYARD_POLL_INTERVAL_MS: ['9', '60001'],
  HOOKYARD_WORKER_CONCURRENCY: ['0', '1001'],
  HOOKYARD_ENDPOINT_CONCURRENCY: ['0', '101'],
  HOOKYARD_SHUTDOWN_GRACE_SECONDS: ['-1', '601'],
  HOOKYARD_RESPONSE_BODY_LIMIT: ['1023', String(10 * 1024 * 1024 + 1)],
  HOOKYARD_RETENTION_DAYS: ['0', '3651'],
  HOOKYARD_RETENTION_INTERVAL_SECONDS: ['9', String(7 * 86400 + 1)],
  HOOKYARD_REENCRYPT_INTERVAL_SECONDS: ['9', '86401'],
  HOOKYARD_METRICS_TOKEN: ['short'],
  HOOKYARD_METRICS_PER_ORG: ['sometimes'],
  HOOKYARD_HEALTH_SWEEP_SECONDS: ['0', '86401'],
  HOOKYARD_TEST_SEND_CONCURRENCY: ['0', '1001'],
  HOOKYARD_PUBLIC_URL: ['hooks.example.com', 'ftp://hooks.example.com'],
  HOOKYARD_DB_POOL_SIZE: ['0', '1001', 'ten'],
  HOOKYARD_WORKER_DB_POOL_SIZE: ['0', '1001'],
  HOOKYARD_DB_STATEMENT_TIMEOUT_MS: ['0', '3600001', '10s'],
  HOOKYARD_DB_LOCK_TIMEOUT_MS: ['0', '3600001'],
  HOOKYARD_DB_CONNECT_TIMEOUT_SECONDS: ['-1', '86401', '5s'],
  HOOKYARD_RATE_LIMIT_PER_SECOND: ['-1', '1000001', '1.5'],
  HOOKYARD_RATE_LIMIT_BURST: ['0', '1000001'],
  HOOKYARD_PUBLISH_RATE_LIMIT_PER_SECOND: ['-1', '1000001', '1.5'],
  HOOKYARD_PUBLISH_RATE_LIMIT_BURST: ['0', '1000001'],
  HOOKYARD_AUTH_FAILURE_RATE_LIMIT_PER_SECOND: ['-1', '1000001', '1.5'],
  HOOKYARD_AUTH_FAILURE_RATE_LIMIT_BURST: ['0', '1000001'],
  HOOKYARD_TRUST_PROXY: ['101', 'yes', '10.0.0.0/33', '10.0.0.1,proxy.example.com', '::1/129'],
  HOOKYARD_METRICS_PUBLIC: ['sometimes'],
  HOOKYARD_MAX_BODY_BYTES: ['1023', String(100 * 1024 * 1024 + 1), '1mb'],
};

/** Variables that take any value, and why that is safe. */
const TAKES_ANY_VALUE: Readonly<Record<string, string>> = {
  HOST: 'passed to listen(); a host that cannot be bound fails the start there',
  HOOKYARD_DATA_DIR: 'any path; embedded PostgreSQL fails the start if it cannot use it',
  OTEL_SERVICE_NAME: 'any service.name is a valid span resource attribute',
  NODE_ENV: 'only `production` changes anything',
  HOOKYARD_CONSOLE_DIR:
    'any path; one without an index.html makes /console answer CONSOLE_NOT_BUILT',
};

/** The ConfigError `loadConfig` throws for `env`, or a failure when it throws none. */
function configErrorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

const CASES = Object.entries(BAD_VALUES).flatMap(([name, values]) =>
  values.map((value) => [name, value] as const),
);

describe('configuration values', () => {
  it('lists bad values for every variable, or says why it takes any value', () => {
    const covered = [...Object.keys(BAD_VALUES), ...Object.keys(TAKES_ANY_VALUE)];
    expect(covered.sort()).toEqual(Object.keys(CONFIG_VARIABLES).sort());
    expect(Object.keys(BAD_VALUES).filter((name) => name in TAKES_ANY_VALUE)).toEqual([]);
  });

  it.each(CASES)(
    'a bad %s (%j) stops the start with one line naming the variable',
    (name, value) => {
      const error = configErrorOf({ [name]: value });
      expect(error.problems).toHaveLength(1);
      const [problem = ''] = error.problems;
      expect(problem).toMatch(new RegExp(`^${name}: \\S`));
      expect(problem).not.toContain('\n');
      expect(error.message.split('\n')).toContain(`  - ${problem}`);
    },
  );

  it.each(Object.entries(TAKES_ANY_VALUE))('%s takes any value: %s', (name) => {
    expect(() => loadConfig({ [name]: 'any value: at all!' })).not.toThrow();
  });
});
