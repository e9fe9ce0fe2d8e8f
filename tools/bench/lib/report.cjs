'use strict';
// The output: one table (a column per scenario) and one JSON line holding every figure, on stdout.

const show = (value, unit = '') =>
  value === null || value === undefined ? '–' : `${value}${unit}`;

/**
 * Rows of the table: label, how to read the cell from one scenario's figures, and the scenario whose
 * columns the row belongs to (the row is left out when none of them ran).
 */
const ROWS = [
  [
    'events sent / requested',
    (r) => (r.sent === undefined ? '–' : `${r.sent} / ${r.events_requested}`),
  ],
  ['publishers', (r) => show(r.publishers)],
  ['ingest (events/s)', (r) => show(r.ingest_events_per_s)],
  ['POST p50 / p99 (ms)', (r) => `${show(r.post_latency_p50_ms)} / ${show(r.post_latency_p99_ms)}`],
  ['due deliveries at start', (r) => show(r.due_at_start), 'backlog'],
  [
    'deliveries measured / target',
    (r) => `${show(r.deliveries_measured)} / ${show(r.measure_target)}`,
    'backlog',
  ],
  ['deliveries expected / unique', (r) => `${r.expected} / ${r.delivered_unique}`],
  ['deliveries/s', (r) => show(r.deliveries_per_s)],
  [
    'deliveries/s of each round',
    (r) => (r.deliveries_per_s_rounds ? r.deliveries_per_s_rounds.join(' / ') : '–'),
    'backlog',
  ],
  ['deliveries/s vs small (≥ 0.8)', (r) => show(r.deliveries_per_s_vs_small), 'backlog'],
  ['reactivation→first receipt (ms)', (r) => show(r.first_receipt_ms), 'backlog'],
  ['worker peak RSS MB (< 250)', (r) => show(r.worker_peak_rss_mb), 'backlog'],
  [
    'ceiling req/s (concurrency)',
    (r) =>
      r.ceiling_requests_per_s === null
        ? '–'
        : `${r.ceiling_requests_per_s} (${r.ceiling_concurrency})`,
  ],
  ['ratio to ceiling', (r) => show(r.ratio_to_ceiling)],
  [
    'ingest→receipt p50/p95/p99 (ms)',
    (r) =>
      r.latency_measured === false
        ? 'no ids'
        : `${show(r.latency_p50_ms)} / ${show(r.latency_p95_ms)} / ${show(r.latency_p99_ms)}`,
  ],
  ['lost', (r) => `${r.lost}${r.lost === 0 ? '' : ' FAIL'}`],
  ['duplicates', (r) => show(r.duplicates)],
  ['received, not recorded', (r) => show(r.received_not_recorded), 'backlog'],
  [
    'signatures checked / invalid',
    (r) =>
      `${r.signatures_checked} / ${r.signatures_invalid}${r.signatures_invalid ? ' FAIL' : ''}`,
  ],
  ['max concurrent tries per id', (r) => show(r.max_concurrent_attempts_per_id)],
  ['receiver max in flight', (r) => show(r.receiver_max_in_flight)],
  ['rows per delivery', (r) => show(r.rows_per_delivery)],
  [
    'WAL bytes/delivery: db / server',
    (r) => `${show(r.wal_bytes_per_delivery)} / ${show(r.wal_bytes_per_delivery_server)}`,
  ],
  ['queue not drained', (r) => show(r.queue_not_drained)],
  [
    'backlog left / claimed after pause',
    (r) => `${show(r.backlog_left)} / ${show(r.tries_in_flight_after_pause)}`,
    'backlog',
  ],
  ['failing endpoint tries', (r) => show(r.failing_endpoint_attempts), 'neighbour'],
  ['healthy p99 vs alone', (r) => show(r.healthy_p99_vs_alone, '×'), 'neighbour'],
  ['app warnings / errors logged', (r) => `${r.app_warnings_logged} / ${r.app_errors_logged}`],
  ['timed out', (r) => (r.timed_out ? 'yes FAIL' : 'no')],
];

function processRows(scenarios) {
  const labels = new Set();
  for (const r of Object.values(scenarios))
    for (const label of Object.keys(r.processes ?? {})) labels.add(label);
  return [...labels].map((label) => [
    `${label} peak RSS MB / CPU s`,
    (r) => {
      const p = r.processes?.[label];
      return p ? `${show(p.peak_rss_mb)} / ${show(p.cpu_s)}` : '–';
    },
  ]);
}

function printReport(figures) {
  const names = Object.keys(figures.scenarios);
  const rows = [...ROWS, ...processRows(figures.scenarios)].filter(
    ([, , only]) => !only || names.some((n) => n.startsWith(only)),
  );
  const cell = (name, read) => {
    const r = figures.scenarios[name];
    if (r.skipped) return `skipped: ${r.skipped}`;
    if (r.failed) return 'failed';
    return read(r);
  };
  const table = [
    ['', ...names],
    ...rows.map(([label, read]) => [label, ...names.map((n) => cell(n, read))]),
  ];
  const widths = table[0].map((_, column) =>
    Math.max(...table.map((row) => String(row[column]).length)),
  );
  const line = (row) =>
    row
      .map((value, column) => String(value).padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  const out = [
    '',
    `Hookyard benchmark${figures.quick ? ' (quick)' : ''} — ${figures.database} database, ${figures.workers} worker process(es), ${figures.cpus} CPUs, Node ${figures.node}`,
    `shipped settings: worker concurrency ${figures.settings.worker_concurrency}, per endpoint ${figures.settings.endpoint_concurrency}, poll ${figures.settings.poll_interval_ms} ms`,
    line(table[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...table.slice(1).map(line),
    '',
    `peak RSS over the run (VmHWM, MB): ${Object.entries(figures.peak_rss_mb)
      .map(([k, v]) => `${k} ${show(v)}`)
      .join(', ')}`,
    `app log lines over the run: ${Object.entries(figures.app_log_lines)
      .map(([k, v]) => `${k} ${v.warnings} warnings / ${v.errors} errors`)
      .join(', ')}`,
    `lost ${figures.lost}, duplicates ${figures.duplicates}, invalid signatures ${figures.signatures_invalid}, failed publishes ${figures.publish_failures}, run ${figures.run_seconds} s, exit ${figures.exit_code}`,
    '',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

module.exports = { printReport };
