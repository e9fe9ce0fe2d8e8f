import { Metrics, metricsAuthorized } from './metrics';

/** `name{labels} value` lines of a Prometheus text, by series (labels as printed). */
function series(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    found.set(match[1], Number(match[2]));
  }
  return found;
}

describe('Metrics', () => {
  it('renders valid Prometheus text with the process metrics and every instrument of the contract', async () => {
    const metrics = new Metrics({ perOrganization: false });
    const text = await metrics.render();
    const names = new Set([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => m[1]));
    for (const name of [
      'process_resident_memory_bytes',
      'hookyard_events_accepted_total',
      'hookyard_http_request_duration_seconds',
      'hookyard_deliveries_total',
      'hookyard_attempt_duration_seconds',
      'hookyard_claim_batch_size',
      'hookyard_flush_batch_size',
      'hookyard_outbound_connections_in_use',
    ])
      expect(names).toContain(name);
    expect(series(text).get('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(metrics.contentType).toContain('text/plain');
  });

  it('counts events, deliveries and batches, and observes durations into histograms', async () => {
    const metrics = new Metrics({ perOrganization: false, defaultMetrics: false });
    metrics.countEventsAccepted('native', 'org_1', 3);
    metrics.countEventsAccepted('native', 'org_2', 2);
    metrics.countEventsAccepted('native', 'org_2', 0);
    metrics.recordDelivery('success', 0.2, 'org_1');
    metrics.recordDelivery('success', 0.3, 'org_2');
    metrics.recordDelivery('retry', 1.5, 'org_1');
    metrics.observeClaimBatch(7);
    metrics.observeFlushBatch(3);
    metrics.observeFlushBatch(1);
    metrics.observeHttpRequest('POST', '/v1/events', 202, 0.004);
    const s = series(await metrics.render());
    expect(s.get('hookyard_events_accepted_total{dialect="native"}')).toBe(5);
    expect(s.get('hookyard_deliveries_total{outcome="success"}')).toBe(2);
    expect(s.get('hookyard_deliveries_total{outcome="retry"}')).toBe(1);
    expect(s.get('hookyard_attempt_duration_seconds_count{outcome="success"}')).toBe(2);
    expect(s.get('hookyard_attempt_duration_seconds_sum{outcome="success"}')).toBeCloseTo(0.5);
    expect(s.get('hookyard_attempt_duration_seconds_bucket{le="0.25",outcome="success"}')).toBe(1);
    expect(s.get('hookyard_claim_batch_size_sum')).toBe(7);
    expect(s.get('hookyard_flush_batch_size_count')).toBe(2);
    expect(
      s.get(
        'hookyard_http_request_duration_seconds_count{method="POST",route="/v1/events",status="202"}',
      ),
    ).toBe(1);
    expect([...s.keys()].some((key) => key.includes('organization_id'))).toBe(false);
  });

  it('adds organization_id to events accepted and deliveries only when per-organization metrics are on', async () => {
    const metrics = new Metrics({ perOrganization: true, defaultMetrics: false });
    metrics.countEventsAccepted('native', 'org_1', 3);
    metrics.recordDelivery('failed', 0.1, 'org_2');
    const s = series(await metrics.render());
    expect(s.get('hookyard_events_accepted_total{dialect="native",organization_id="org_1"}')).toBe(
      3,
    );
    expect(s.get('hookyard_deliveries_total{outcome="failed",organization_id="org_2"}')).toBe(1);
    expect(s.get('hookyard_attempt_duration_seconds_count{outcome="failed"}')).toBe(1);
  });

  it('sums the outbound connection sources at scrape time, without the ones removed', async () => {
    const metrics = new Metrics({ perOrganization: false, defaultMetrics: false });
    let open = 2;
    metrics.watchOutboundConnections(() => open);
    const remove = metrics.watchOutboundConnections(() => 5);
    expect(series(await metrics.render()).get('hookyard_outbound_connections_in_use')).toBe(7);
    open = 4;
    remove();
    expect(series(await metrics.render()).get('hookyard_outbound_connections_in_use')).toBe(4);
  });

  it('renders no delivery series before a try is recorded, though the outcome children are bound', async () => {
    const metrics = new Metrics({ perOrganization: false, defaultMetrics: false });
    const before = [...series(await metrics.render()).keys()];
    expect(before.filter((key) => /^hookyard_(deliveries|attempt_duration)/.test(key))).toEqual([]);
    metrics.recordDelivery('failed', 0.1, 'org_1');
    metrics.recordDelivery('failed', 0.2, 'org_1');
    const after = series(await metrics.render());
    expect(after.get('hookyard_deliveries_total{outcome="failed"}')).toBe(2);
    expect(after.get('hookyard_deliveries_total{outcome="success"}')).toBeUndefined();
    expect(after.get('hookyard_attempt_duration_seconds_count{outcome="failed"}')).toBe(2);
  });

  it('keeps registries apart, so two processes (or tests) never count into each other', async () => {
    const one = new Metrics({ perOrganization: false, defaultMetrics: false });
    const two = new Metrics({ perOrganization: false, defaultMetrics: false });
    one.observeClaimBatch(4);
    expect(series(await two.render()).get('hookyard_claim_batch_size_count')).toBe(0);
    expect(series(await one.render()).get('hookyard_claim_batch_size_count')).toBe(1);
  });

  it('renders gauges added with a collect function from what they read at scrape time', async () => {
    const metrics = new Metrics({ perOrganization: false, defaultMetrics: false });
    let due = 3;
    metrics.gauge({
      name: 'hookyard_test_due',
      help: 'A gauge read at scrape time.',
      collect() {
        this.set(due);
      },
    });
    expect(series(await metrics.render()).get('hookyard_test_due')).toBe(3);
    due = 9;
    expect(series(await metrics.render()).get('hookyard_test_due')).toBe(9);
  });
});

describe('metricsAuthorized', () => {
  it('lets every scrape in without a token', () => {
    expect(metricsAuthorized(null, undefined)).toBe(true);
  });

  it('asks for the bearer of the token when one is set', () => {
    const token = 'metrics-token-0123456789';
    expect(metricsAuthorized(token, `Bearer ${token}`)).toBe(true);
    expect(metricsAuthorized(token, undefined)).toBe(false);
    expect(metricsAuthorized(token, token)).toBe(false);
    expect(metricsAuthorized(token, `Bearer ${token}x`)).toBe(false);
  });
});
