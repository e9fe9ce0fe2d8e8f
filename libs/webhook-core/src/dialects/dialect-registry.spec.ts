import {
  byDialect,
  DIALECT_NAMES,
  DIALECTS,
  deliveryFormat,
  dialectDefinition,
  dialectVariable,
  INSTALLATION_DIALECT,
  isDeliveryDialect,
  PERMISSION_ALIASES,
} from './dialect-registry';

const endpoint = { id: 'e1', organizationId: 'o1', includePreviousData: false };
const message = {
  id: '0123456789abcdef01234567',
  topic: 'post.created',
  data: { id: 'p1' },
  previousData: null,
  createdAt: new Date('2026-01-02T03:04:05.000Z'),
};

describe('the dialect registry', () => {
  it('names each dialect once, as a lower-case word a variable name can carry', () => {
    expect(new Set(DIALECT_NAMES).size).toBe(DIALECTS.length);
    for (const name of DIALECT_NAMES) expect(name).toMatch(/^[a-z][a-z0-9]*$/);
    expect(INSTALLATION_DIALECT).toBe('native');
  });

  it('keeps the variable names the configuration has always read', () => {
    expect(dialectVariable('native', 'retrySchedule')).toBe('HOOKYARD_RETRY_SCHEDULE');
    expect(dialectVariable('featurebase', 'retrySchedule')).toBe(
      'HOOKYARD_FEATUREBASE_RETRY_SCHEDULE',
    );
    expect(dialectVariable('platform', 'retrySchedule')).toBe('HOOKYARD_PLATFORM_RETRY_SCHEDULE');
    expect(dialectVariable('platform', 'environment')).toBe('HOOKYARD_PLATFORM_ENVIRONMENT');
    expect(dialectVariable('platform', 'secretGraceSeconds')).toBe(
      'HOOKYARD_PLATFORM_SECRET_GRACE_SECONDS',
    );
  });

  it('gives one value per dialect, in the registry order', () => {
    expect(Object.keys(byDialect((name) => name.length))).toEqual(DIALECT_NAMES);
  });

  it('finds a definition by name and refuses a name it does not list', () => {
    expect(dialectDefinition('platform').defaultTimeoutMs).toBe(10_000);
    expect(isDeliveryDialect('featurebase')).toBe(true);
    expect(isDeliveryDialect('svix')).toBe(false);
    expect(() => dialectDefinition('svix' as 'native')).toThrow(RangeError);
  });

  it('builds a format with the settings given and every other setting at its default', () => {
    const body = (environment?: string) =>
      JSON.parse(
        deliveryFormat('platform', environment === undefined ? {} : { environment })
          .body(endpoint, message)
          .toString('utf8'),
      ) as { environment: string };
    expect(body().environment).toBe('LIVE');
    expect(body('SANDBOX').environment).toBe('SANDBOX');
  });

  it("gathers every dialect's permission aliases", () => {
    expect(PERMISSION_ALIASES).toEqual({ 'WEBHOOK.VIEW': 'WEBHOOK.READ' });
  });
});
