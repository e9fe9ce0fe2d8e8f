import { acknowledges, parsePath, plannedStatus } from './modes';

describe('parsePath', () => {
  it('reads a bare mode with no prefix', () => {
    expect(parsePath('/ok')).toEqual({ endpoint: '/ok', prefix: '', mode: { name: 'ok' } });
  });

  it('reads the mode from the end so any prefix separates endpoints', () => {
    expect(parsePath('/d1/a/flaky/3?x=1')).toEqual({
      endpoint: '/d1/a/flaky/3',
      prefix: '/d1/a',
      mode: { name: 'flaky', failures: 3 },
    });
    expect(parsePath('/status/ok')).toEqual({
      endpoint: '/status/ok',
      prefix: '/status',
      mode: { name: 'ok' },
    });
  });

  it('parses every mode with an argument', () => {
    expect(parsePath('/status/204').mode).toEqual({ name: 'status', code: 204 });
    expect(parsePath('/huge/200').mode).toEqual({ name: 'huge', megabytes: 200 });
    expect(parsePath('/d3/slow/500').mode).toEqual({ name: 'slow', ms: 500 });
    expect(parsePath('/slow/600001').mode).toEqual({ name: 'unknown' });
    expect(parsePath('/t/reset-after-body/1').mode).toEqual({
      name: 'reset-after-body',
      resets: 1,
    });
    expect(parsePath('/retry-after/5').mode).toEqual({ name: 'retry-after', value: '5' });
    expect(parsePath('/retry-after/Wed%2C%2021%20Oct%202026%2007%3A28%3A00%20GMT').mode).toEqual({
      name: 'retry-after',
      value: 'Wed, 21 Oct 2026 07:28:00 GMT',
    });
  });

  it('parses the modes without an argument', () => {
    for (const name of [
      'hang',
      'slow-headers',
      'drip',
      'infinite',
      'gzip-bomb',
      'big-headers',
      'reset',
      'gone',
    ]) {
      expect(parsePath(`/p/${name}`).mode).toEqual({ name });
    }
    expect(parsePath('/reset-after-body').mode).toEqual({
      name: 'reset-after-body',
      resets: Number.POSITIVE_INFINITY,
    });
  });

  it('reads the redirect target and code from the query', () => {
    expect(parsePath('/p/redirect?to=http%3A%2F%2F127.0.0.1%3A9%2Fx&code=307').mode).toEqual({
      name: 'redirect',
      location: 'http://127.0.0.1:9/x',
      code: 307,
    });
    expect(parsePath('/p/redirect?code=200').mode).toEqual({
      name: 'redirect',
      location: null,
      code: 302,
    });
  });

  it('treats bad arguments and unknown names as unknown', () => {
    for (const path of [
      '/status/99',
      '/status/600',
      '/status/abc',
      '/flaky/-1',
      '/huge/100001',
      '/nope',
      '/',
      '/retry-after/%0d%0aset-cookie',
    ]) {
      expect(parsePath(path).mode).toEqual({ name: 'unknown' });
    }
  });
});

describe('plannedStatus and acknowledges', () => {
  it('fails the first k attempts of flaky and reset-after-body, then succeeds', () => {
    const flaky = { name: 'flaky', failures: 2 } as const;
    expect([1, 2, 3].map((attempt) => plannedStatus(flaky, attempt))).toEqual([500, 500, 200]);
    const reset = { name: 'reset-after-body', resets: 1 } as const;
    expect([1, 2].map((attempt) => plannedStatus(reset, attempt))).toEqual([0, 200]);
  });

  it('counts only complete small 2xx answers as acknowledgements', () => {
    expect(acknowledges({ name: 'ok' }, 200)).toBe(true);
    expect(plannedStatus({ name: 'slow', ms: 500 }, 1)).toBe(200);
    expect(acknowledges({ name: 'slow', ms: 500 }, 200)).toBe(true);
    expect(acknowledges({ name: 'status', code: 299 }, 299)).toBe(true);
    expect(acknowledges({ name: 'status', code: 300 }, 300)).toBe(false);
    expect(acknowledges({ name: 'flaky', failures: 1 }, 500)).toBe(false);
    expect(acknowledges({ name: 'drip' }, 200)).toBe(false);
    expect(acknowledges({ name: 'huge', megabytes: 1 }, 200)).toBe(false);
    expect(acknowledges({ name: 'gzip-bomb' }, 200)).toBe(false);
    expect(acknowledges({ name: 'big-headers' }, 200)).toBe(false);
  });
});
