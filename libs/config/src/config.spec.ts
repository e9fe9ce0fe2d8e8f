import { ConfigError, loadConfig } from './config';

const KEY = Buffer.alloc(32, 1).toString('base64');

describe('configuration', () => {
  it('has safe defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      role: 'all',
      requireHttps: true,
      outboundAllow: [],
      endpointLimit: 10,
    });
    expect(config.dialects.native.retryScheduleMs).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
    expect(config.database.url).toBeNull();
    expect(config.dialects.featurebase.retryScheduleMs).toEqual([60_000, 3_600_000, 21_600_000]);
    expect(config.retention).toEqual({ days: 30, intervalMs: 3_600_000 });
    expect(config.healthSweepMs).toBe(60_000);
  });

  it('limits the admin API and times out database statements by default, each configurable', () => {
    const defaults = loadConfig({});
    expect(defaults.limits).toEqual({
      management: { perSecond: 100, burst: 200 },
      publishing: { perSecond: 300, burst: 600 },
      authFailures: { perSecond: 10, burst: 20 },
      maxBodyBytes: 1_048_576,
    });
    expect(defaults.trustProxy).toBe(0);
    expect(defaults.database).toMatchObject({
      poolSize: 10,
      workerPoolSize: 10,
      statementTimeoutMs: 10_000,
      lockTimeoutMs: 5_000,
    });
    const set = loadConfig({
      HOOKYARD_RATE_LIMIT_PER_SECOND: '0',
      HOOKYARD_RATE_LIMIT_BURST: '5',
      HOOKYARD_PUBLISH_RATE_LIMIT_PER_SECOND: '7',
      HOOKYARD_PUBLISH_RATE_LIMIT_BURST: '8',
      HOOKYARD_AUTH_FAILURE_RATE_LIMIT_PER_SECOND: '0',
      HOOKYARD_AUTH_FAILURE_RATE_LIMIT_BURST: '9',
      HOOKYARD_MAX_BODY_BYTES: '2048',
      HOOKYARD_DB_POOL_SIZE: '3',
      HOOKYARD_WORKER_DB_POOL_SIZE: '4',
      HOOKYARD_DB_STATEMENT_TIMEOUT_MS: '1500',
      HOOKYARD_DB_LOCK_TIMEOUT_MS: '250',
    });
    expect(set.limits).toEqual({
      management: { perSecond: 0, burst: 5 },
      publishing: { perSecond: 7, burst: 8 },
      authFailures: { perSecond: 0, burst: 9 },
      maxBodyBytes: 2048,
    });
    expect(set.database).toMatchObject({
      poolSize: 3,
      workerPoolSize: 4,
      statementTimeoutMs: 1500,
      lockTimeoutMs: 250,
    });
  });

  it('gives the platform dialect its schedule, environment and roll window, each configurable', () => {
    const defaults = loadConfig({}).dialects.platform;
    expect(defaults.retryScheduleMs.slice(0, 9)).toEqual([
      120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000,
    ]);
    expect(defaults.retryScheduleMs.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(7 * 86_400_000);
    expect(defaults).toMatchObject({ environment: 'LIVE', secretGraceSeconds: 86_400 });
    expect(
      loadConfig({
        HOOKYARD_PLATFORM_RETRY_SCHEDULE: '1s,2s',
        HOOKYARD_PLATFORM_ENVIRONMENT: 'SANDBOX',
        HOOKYARD_PLATFORM_SECRET_GRACE_SECONDS: '60',
      }).dialects.platform,
    ).toEqual({ retryScheduleMs: [1000, 2000], environment: 'SANDBOX', secretGraceSeconds: 60 });
    expect(() =>
      loadConfig({
        HOOKYARD_PLATFORM_ENVIRONMENT: 'has space',
        HOOKYARD_PLATFORM_SECRET_GRACE_SECONDS: '604801',
      }),
    ).toThrow(/HOOKYARD_PLATFORM_ENVIRONMENT[\s\S]*HOOKYARD_PLATFORM_SECRET_GRACE_SECONDS/);
  });

  it('reads the log format and the trace collector, refusing unknown values by name', () => {
    expect(loadConfig({})).toMatchObject({
      logFormat: 'auto',
      tracing: { endpoint: null, serviceName: null },
    });
    expect(
      loadConfig({
        HOOKYARD_LOG_FORMAT: 'pretty',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/',
        OTEL_SERVICE_NAME: 'hookyard-eu',
      }),
    ).toMatchObject({
      logFormat: 'pretty',
      tracing: { endpoint: 'http://127.0.0.1:4318', serviceName: 'hookyard-eu' },
    });
    expect(() =>
      loadConfig({ HOOKYARD_LOG_FORMAT: 'xml', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }),
    ).toThrow(/HOOKYARD_LOG_FORMAT: must be one of json, pretty[\s\S]*OTEL_EXPORTER_OTLP_ENDPOINT/);
  });

  it('keeps tenant ids out of metric labels unless HOOKYARD_METRICS_PER_ORG says otherwise', () => {
    expect(loadConfig({}).metricsPerOrg).toBe(false);
    expect(loadConfig({ HOOKYARD_METRICS_PER_ORG: 'true' }).metricsPerOrg).toBe(true);
    expect(() => loadConfig({ HOOKYARD_METRICS_PER_ORG: 'sometimes' })).toThrow(
      /HOOKYARD_METRICS_PER_ORG: must be true or false/,
    );
  });

  it('local mode lets http through to the loopback addresses only and binds the API to 127.0.0.1', () => {
    const config = loadConfig({ HOOKYARD_LOCAL: 'true' });
    expect(config).toMatchObject({
      localMode: true,
      requireHttps: true,
      host: '127.0.0.1',
      outboundAllow: ['127.0.0.1/32', '::1/128'],
    });
    expect(loadConfig({}).localMode).toBe(false);
  });

  it('refuses local mode with NODE_ENV=production', () => {
    expect(() => loadConfig({ HOOKYARD_LOCAL: 'true', NODE_ENV: 'production' })).toThrow(
      /HOOKYARD_LOCAL: local mode is refused with NODE_ENV=production/,
    );
  });

  it('X7 reads HOOKYARD_TRUST_PROXY as a hop count or a list of proxy addresses, none by default', () => {
    expect(loadConfig({}).trustProxy).toBe(0);
    expect(loadConfig({ HOOKYARD_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(
      loadConfig({ HOOKYARD_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1/128' }).trustProxy,
    ).toEqual(['10.0.0.0/8', '127.0.0.1', '::1/128']);
    expect(() => loadConfig({ HOOKYARD_TRUST_PROXY: 'all' })).toThrow(
      /HOOKYARD_TRUST_PROXY: must be a hop count or a comma list of IP addresses or CIDRs/,
    );
  });

  describe('X13 with NODE_ENV=production', () => {
    const PRODUCTION = {
      NODE_ENV: 'production',
      HOOKYARD_PUBLIC_URL: 'https://hooks.example.com/',
      HOOKYARD_METRICS_TOKEN: 'a-metrics-token-of-32-characters',
    };
    const problemsOf = (env: NodeJS.ProcessEnv): readonly string[] => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
    };

    it('starts with a public URL and a metrics token', () => {
      expect(loadConfig(PRODUCTION)).toMatchObject({
        publicUrl: 'https://hooks.example.com',
        metricsToken: PRODUCTION.HOOKYARD_METRICS_TOKEN,
      });
    });

    it('X13 refuses to start an API without HOOKYARD_PUBLIC_URL, so no Host header picks the portal link', () => {
      for (const role of ['all', 'api']) {
        expect(problemsOf({ ...PRODUCTION, HOOKYARD_ROLE: role, HOOKYARD_PUBLIC_URL: '' })).toEqual(
          [expect.stringMatching(/^HOOKYARD_PUBLIC_URL: required with NODE_ENV=production/)],
        );
      }
      // A worker hands out no links.
      expect(
        problemsOf({ ...PRODUCTION, HOOKYARD_ROLE: 'worker', HOOKYARD_PUBLIC_URL: '' }),
      ).toEqual([]);
      // Outside production the request's origin still serves (local trials, tests).
      expect(loadConfig({}).publicUrl).toBeNull();
    });

    it('X13 refuses to start without a metrics token unless /metrics is made public on purpose', () => {
      const { HOOKYARD_METRICS_TOKEN: _, ...withoutToken } = PRODUCTION;
      expect(problemsOf(withoutToken)).toEqual([
        expect.stringMatching(
          /^HOOKYARD_METRICS_TOKEN: required with NODE_ENV=production .*HOOKYARD_METRICS_PUBLIC=true/,
        ),
      ]);
      expect(loadConfig({ ...withoutToken, HOOKYARD_METRICS_PUBLIC: 'true' })).toMatchObject({
        metricsToken: null,
        metricsPublic: true,
      });
      // A bad token is reported once, as bad, not also as missing.
      expect(problemsOf({ ...PRODUCTION, HOOKYARD_METRICS_TOKEN: 'short' })).toEqual([
        'HOOKYARD_METRICS_TOKEN: must be at least 16 characters',
      ]);
      expect(loadConfig({}).metricsToken).toBeNull();
    });
  });

  it('reads the state machine thresholds so tests can run them in seconds', () => {
    const config = loadConfig({
      HOOKYARD_PENALTY_AFTER: '2',
      HOOKYARD_PAUSE_AFTER: '3',
      HOOKYARD_PAUSE_AFTER_SECONDS: '5',
      HOOKYARD_SUSPEND_AFTER_SECONDS: '9',
      HOOKYARD_PENALTY_COOLDOWN_SECONDS: '1',
    });
    expect(config.thresholds).toMatchObject({
      penaltyAfter: 2,
      pauseAfter: 3,
      pauseAfterMs: 5000,
      suspendAfterMs: 9000,
      penaltyBaseMs: 1000,
    });
  });

  it('requires an encryption key with an external database', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://127.0.0.1/x' })).toThrow(ConfigError);
    expect(
      loadConfig({ DATABASE_URL: 'postgres://127.0.0.1/x', HOOKYARD_ENCRYPTION_KEY: KEY })
        .encryptionKey?.key,
    ).toHaveLength(32);
  });

  it('reads a versioned encryption key and the previous keys that still decrypt', () => {
    const other = Buffer.alloc(32, 2).toString('hex');
    const config = loadConfig({
      HOOKYARD_ENCRYPTION_KEY: `2:${KEY}`,
      HOOKYARD_ENCRYPTION_KEYS_PREVIOUS: `1:${other}`,
    });
    expect(config.encryptionKey).toEqual({ version: 2, key: Buffer.alloc(32, 1) });
    expect(config.previousEncryptionKeys).toEqual([{ version: 1, key: Buffer.alloc(32, 2) }]);
    expect(loadConfig({ HOOKYARD_ENCRYPTION_KEY: KEY }).encryptionKey?.version).toBe(1);
  });

  it.each([
    ['a previous key without a version', { HOOKYARD_ENCRYPTION_KEYS_PREVIOUS: KEY }],
    [
      'a previous key with the current version',
      { HOOKYARD_ENCRYPTION_KEY: `3:${KEY}`, HOOKYARD_ENCRYPTION_KEYS_PREVIOUS: `3:${KEY}` },
    ],
    ['a key version of 0', { HOOKYARD_ENCRYPTION_KEY: `0:${KEY}` }],
    ['a previous key of the wrong length', { HOOKYARD_ENCRYPTION_KEYS_PREVIOUS: '1:abcd' }],
  ])('refuses %s', (_, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
  });

  it('S6 refuses an allow-list that lets everything through in production, and only there', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', HOOKYARD_OUTBOUND_ALLOW: '0.0.0.0/0' }),
    ).toThrow(/HOOKYARD_OUTBOUND_ALLOW/);
    expect(loadConfig({ HOOKYARD_OUTBOUND_ALLOW: '0.0.0.0/0' }).outboundAllow).toEqual([
      '0.0.0.0/0',
    ]);
  });
});
