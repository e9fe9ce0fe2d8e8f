import type { StatsBucket } from '@hookyard/sdk';
import { formatMs, formatNumber, formatPercent } from './format';

const WIDTH = 960;
const HEIGHT = 260;
const MARGIN = { top: 16, right: 88, bottom: 40, left: 64 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
const GRID = [0, 0.25, 0.5, 0.75, 1];

/** The smallest 1, 2 or 5 times a power of ten at or above `value` (the ms axis's top). */
export function niceCeiling(value: number): number {
  if (value <= 0) return 100;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}

function bucketLabel(iso: string, bucket: string): string {
  const date = new Date(iso);
  return bucket === 'day'
    ? date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
    : date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

function bucketCaption(bucket: string): string {
  return bucket === 'minute' ? 'by minute' : bucket === 'day' ? 'by day' : 'by hour';
}

/** The success-rate line as path segments, broken where a bucket had no attempts. */
function rateSegments(points: readonly (readonly [number, number] | null)[]): string[] {
  const segments: string[] = [];
  let current: string[] = [];
  for (const point of points) {
    if (point === null) {
      if (current.length > 0) segments.push(current.join(' '));
      current = [];
      continue;
    }
    current.push(
      `${current.length === 0 ? 'M' : 'L'}${point[0].toFixed(1)},${point[1].toFixed(1)}`,
    );
  }
  if (current.length > 0) segments.push(current.join(' '));
  return segments;
}

/**
 * Success rate (line, left axis, 0-100 %) and p95 response time (bars, right axis) per bucket, as
 * one SVG image with a text name, and the same numbers in a table for screen readers.
 */
export function HealthChart({ bucket, data }: { bucket: string; data: readonly StatsBucket[] }) {
  const count = Math.max(data.length, 1);
  const band = PLOT_W / count;
  const maxMs = niceCeiling(Math.max(0, ...data.map((d) => d.p95Ms ?? 0)));
  const x = (index: number) => MARGIN.left + band * index + band / 2;
  const yRate = (rate: number) => MARGIN.top + PLOT_H * (1 - rate);
  const yMs = (ms: number) => MARGIN.top + PLOT_H * (1 - ms / maxMs);
  const barWidth = Math.max(1, Math.min(24, band * 0.6));
  const points = data.map((d, i) =>
    d.successRate === null ? null : ([x(i), yRate(d.successRate)] as const),
  );
  const tickEvery = Math.max(1, Math.ceil(data.length / 6));
  const ticks = data
    .map((d, i) => ({ d, i }))
    .filter(({ i }) => i % tickEvery === 0 || i === data.length - 1)
    .filter(({ i }, k, all) => k === all.length - 1 || all[k + 1]!.i - i >= tickEvery / 2);

  return (
    <figure className="chart-figure">
      <svg
        className="chart"
        role="img"
        aria-label="Success rate and response time"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="xMidYMid meet"
      >
        {GRID.map((g) => (
          <g key={g}>
            <line
              className="chart-grid"
              x1={MARGIN.left}
              x2={WIDTH - MARGIN.right}
              y1={yRate(g)}
              y2={yRate(g)}
              strokeDasharray={g === 0 ? undefined : '3 4'}
            />
            <text className="chart-label" x={MARGIN.left - 8} y={yRate(g) + 4} textAnchor="end">
              {Math.round(g * 100)}%
            </text>
            <text
              className="chart-label"
              x={WIDTH - MARGIN.right + 8}
              y={yRate(g) + 4}
              textAnchor="start"
            >
              {formatMs(g * maxMs)}
            </text>
          </g>
        ))}
        {data.map((d, i) =>
          d.p95Ms === null || d.p95Ms <= 0 ? null : (
            <rect
              key={d.start}
              className="chart-p95"
              x={x(i) - barWidth / 2}
              y={yMs(d.p95Ms)}
              width={barWidth}
              height={MARGIN.top + PLOT_H - yMs(d.p95Ms)}
            />
          ),
        )}
        {rateSegments(points).map((segment) => (
          <path key={segment} className="chart-rate" d={segment} />
        ))}
        {data.length <= 72
          ? points.map((point, i) =>
              point === null ? null : (
                <circle
                  key={data[i]!.start}
                  className="chart-rate-dot"
                  cx={point[0]}
                  cy={point[1]}
                  r={3}
                />
              ),
            )
          : null}
        <line
          className="chart-axis"
          x1={MARGIN.left}
          x2={WIDTH - MARGIN.right}
          y1={MARGIN.top + PLOT_H}
          y2={MARGIN.top + PLOT_H}
        />
        {ticks.map(({ d, i }) => (
          <text
            key={d.start}
            className="chart-label"
            x={x(i)}
            y={MARGIN.top + PLOT_H + 18}
            textAnchor="middle"
          >
            {bucketLabel(d.start, bucket)}
          </text>
        ))}
        <text
          className="chart-label"
          transform={`translate(14 ${MARGIN.top + PLOT_H / 2}) rotate(-90)`}
          textAnchor="middle"
        >
          Success rate
        </text>
        <text
          className="chart-label"
          transform={`translate(${WIDTH - 14} ${MARGIN.top + PLOT_H / 2}) rotate(90)`}
          textAnchor="middle"
        >
          p95 response time
        </text>
        <text
          className="chart-label"
          x={MARGIN.left + PLOT_W / 2}
          y={HEIGHT - 4}
          textAnchor="middle"
        >
          Time ({bucketCaption(bucket).replace('by ', 'per ')})
        </text>
      </svg>
      <ul className="chart-legend" aria-hidden="true">
        <li>
          <span className="legend-swatch legend-rate" />
          Success rate (left axis)
        </li>
        <li>
          <span className="legend-swatch legend-p95" />
          p95 response time (right axis)
        </li>
      </ul>
      <table className="visually-hidden">
        <caption>Success rate and response time, {bucketCaption(bucket)}</caption>
        <thead>
          <tr>
            <th scope="col">Start</th>
            <th scope="col">Attempts</th>
            <th scope="col">Success rate</th>
            <th scope="col">p50</th>
            <th scope="col">p95</th>
          </tr>
        </thead>
        <tbody>
          {data.map((d) => (
            <tr key={d.start}>
              <th scope="row">{new Date(d.start).toLocaleString()}</th>
              <td>{formatNumber(d.attempts)}</td>
              <td>{formatPercent(d.successRate)}</td>
              <td>{formatMs(d.p50Ms)}</td>
              <td>{formatMs(d.p95Ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** The period in one sentence: attempts, share that succeeded, mean response time. */
export function statsSummary(data: readonly StatsBucket[]): string {
  const attempts = data.reduce((sum, d) => sum + d.attempts, 0);
  if (attempts === 0) return 'No delivery attempts in this period.';
  const successes = data.reduce((sum, d) => sum + d.successes, 0);
  const weighted = data.reduce((sum, d) => sum + (d.avgMs ?? 0) * d.attempts, 0);
  const worstP95 = Math.max(0, ...data.map((d) => d.p95Ms ?? 0));
  return `${formatNumber(attempts)} attempts, ${formatPercent(successes / attempts)} succeeded, average response ${formatMs(weighted / attempts)}, highest p95 ${formatMs(worstP95)}.`;
}
