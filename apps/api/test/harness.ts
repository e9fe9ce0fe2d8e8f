import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { type INestApplication, type LoggerService } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import {
  createTestDatabase,
  openDatabase,
  SecretCipher,
  type TestDatabase,
} from '@hookyard/data-access';
import { createApp } from '../src/app.factory';
import { type DeliveryWorker } from '@hookyard/delivery';
import { createDeliveryWorker } from '@hookyard/delivery';
import { loadConfig } from '@hookyard/config';
import { OrganizationsService } from '@hookyard/api';
import { Metrics } from '@hookyard/observability';
import { Receiver } from './receiver';

export interface TestAppOptions {
  /** Runs a delivery worker in the same process. */
  readonly worker?: boolean;
  readonly logger?: LoggerService;
}

/** Settings for delivery tests: plain HTTP to 127.0.0.1, retries in seconds, fast polling. */
export const DELIVERY_ENV: Record<string, string> = {
  HOOKYARD_REQUIRE_HTTPS: 'false',
  HOOKYARD_OUTBOUND_ALLOW: '127.0.0.1/32',
  HOOKYARD_RETRY_SCHEDULE: '1s,1s,1s',
  HOOKYARD_POLL_INTERVAL_MS: '50',
  HOOKYARD_LEASE_SECONDS: '6',
  HOOKYARD_ENDPOINT_LIMIT: '1000',
};

/**
 * Every rate limit off: suites fire hundreds of requests with one key, and failed authentications,
 * from one address. admin-limits.e2e-spec.ts and rate-limits.e2e-spec.ts turn them on.
 */
export const NO_RATE_LIMITS: Readonly<Record<string, string>> = {
  HOOKYARD_RATE_LIMIT_PER_SECOND: '0',
  HOOKYARD_PUBLISH_RATE_LIMIT_PER_SECOND: '0',
  HOOKYARD_AUTH_FAILURE_RATE_LIMIT_PER_SECOND: '0',
};

export interface TestApp {
  readonly baseUrl: string;
  readonly app: INestApplication;
  readonly dataSource: DataSource;
  readonly database: TestDatabase;
  /** The encryption key the app runs with (base64), for processes that share its database. */
  readonly encryptionKey: string;
  readonly worker: DeliveryWorker | null;
  /** Makes an organization with an all-permission key. */
  createOrganization(name?: string): Promise<{ organizationId: string; apiKey: string }>;
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface RequestOptions {
  readonly key?: string | null;
  readonly body?: unknown;
  /** Sent as-is (for malformed JSON). */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export interface TestResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: any;
  readonly text: string;
}

/** Boots the real app on 127.0.0.1 over a fresh database on the tests' PostgreSQL. */
export async function startTestApp(
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const { worker: withWorker = false, logger } = options;
  const database = await createTestDatabase();
  const dataSource = await openDatabase({ url: database.url, poolSize: 5 });
  const key = randomBytes(32);
  const config = loadConfig({
    HOOKYARD_ENCRYPTION_KEY: key.toString('base64'),
    HOOKYARD_REQUIRE_HTTPS: 'true',
    ...NO_RATE_LIMITS,
    ...env,
  });
  const { app } = await createApp(
    config,
    { dataSource, cipher: SecretCipher.fromKey(key) },
    { logger: logger ?? false },
  );
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const organizations = app.get(OrganizationsService);
  const delivery = withWorker
    ? createDeliveryWorker(config, {
        dataSource,
        cipher: SecretCipher.fromKey(key),
        metrics: app.get(Metrics), // one registry for both roles, as in `npm start`
      })
    : null;
  delivery?.worker.start();
  return {
    baseUrl,
    app,
    dataSource,
    database,
    encryptionKey: key.toString('base64'),
    worker: delivery?.worker ?? null,
    createOrganization: (name = `org-${randomBytes(3).toString('hex')}`) =>
      organizations.create(name),
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      if (options.key) headers['authorization'] = `Bearer ${options.key}`;
      let body: string | undefined;
      if (options.rawBody !== undefined) body = options.rawBody;
      else if (options.body !== undefined) body = JSON.stringify(options.body);
      if (body !== undefined && !headers['content-type'])
        headers['content-type'] = 'application/json';
      const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
      const text = await response.text();
      const contentType = response.headers.get('content-type') ?? '';
      let parsed: unknown = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: response.status, contentType, body: parsed, text };
    },
    async close() {
      await delivery?.worker.stop();
      delivery?.client.close();
      await app.close();
      await dataSource.destroy();
      await database.drop();
    },
  };
}

/** A body for POST /v1/endpoints with sensible defaults. */
export function endpointBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    url: 'https://example.com/hooks',
    name: 'Production',
    topics: ['post.created'],
    ...overrides,
  };
}

/** Retries an assertion until it passes or `timeoutMs` runs out (for state the worker writes after a receipt). */
export async function eventually(
  assertion: () => Promise<void> | void,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

/**
 * Waits until the clock reaches `at` (ms since the epoch). For windows that prove nothing happens,
 * measured from the moment they start (a receipt, a failure streak's start) rather than from now.
 */
export async function sleepUntil(at: number): Promise<void> {
  await sleep(Math.max(0, at - Date.now()));
}

export interface DeliveryFixture {
  readonly t: TestApp;
  readonly receiver: Receiver;
  /** An all-permission key of the fixture's organization. */
  readonly key: string;
  /** Creates an endpoint (201 asserted) whose URL is `path` on the receiver. */
  endpoint(path: string, overrides?: Record<string, unknown>): Promise<EndpointCreated>;
}

export interface EndpointCreated {
  readonly id: string;
  readonly secret: string;
}

/**
 * Registers the hooks that start a receiver on 127.0.0.1 and an app with an in-process worker on
 * `DELIVERY_ENV` plus `env`, make one organization, and stop both after the suite. The fields are
 * set once `beforeAll` has run.
 */
export function useDeliveryApp(env: Record<string, string> = {}): DeliveryFixture {
  const fixture = {
    async endpoint(path: string, overrides: Record<string, unknown> = {}) {
      const response = await fixture.t.request('POST', '/v1/endpoints', {
        key: fixture.key,
        body: endpointBody({ url: fixture.receiver.url(path), ...overrides }),
      });
      expect(response.status).toBe(201);
      return response.body as EndpointCreated;
    },
  } as { t: TestApp; receiver: Receiver; key: string } & Pick<DeliveryFixture, 'endpoint'>;
  beforeAll(async () => {
    fixture.receiver = await new Receiver().start();
    fixture.t = await startTestApp({ ...DELIVERY_ENV, ...env }, { worker: true });
    fixture.key = (await fixture.t.createOrganization()).apiKey;
  });
  afterAll(async () => {
    await fixture.t?.close();
    await fixture.receiver?.stop();
  });
  return fixture;
}

/** Keeps every line the app logs, for tests that read the logs. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private record(level: string, message: unknown, params: unknown[]) {
    this.lines.push(
      `${level} ${typeof message === 'string' ? message : JSON.stringify(message)} ${JSON.stringify(params)}`,
    );
  }
  log(message: unknown, ...params: unknown[]) {
    this.record('log', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.record('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.record('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.record('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.record('verbose', message, params);
  }
}
