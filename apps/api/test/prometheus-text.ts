/**
 * A small parser of the Prometheus text format (version 0.0.4) for tests: every sample line becomes
 * one entry keyed by `name{label="v",...}` with the labels sorted by name (or just `name` without
 * labels), so a test can look a series up without caring about the order a registry printed it in.
 * Comments (`# HELP`, `# TYPE`) and blank lines are skipped; any other line that is not a sample
 * throws, so a renderer that writes broken text fails the test rather than hiding a series.
 */
export function parsePrometheusText(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const sample = parseSample(line);
    if (!sample) throw new Error(`prometheus text: malformed line ${index + 1}: ${raw}`);
    if (samples.has(sample.key))
      throw new Error(`prometheus text: duplicate series on line ${index + 1}: ${sample.key}`);
    samples.set(sample.key, sample.value);
  });
  return samples;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;

function parseSample(line: string): { key: string; value: number } | null {
  const match = SAMPLE.exec(line);
  if (!match) return null;
  const [, name, labelText = '', valueText] = match;
  const labels = parseLabels(labelText);
  const value = parseValue(valueText);
  if (!labels || value === null) return null;
  const sorted = [...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const key =
    sorted.length === 0 ? name : `${name}{${sorted.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
  return { key, value };
}

/** The label pairs of `a="1",b="2"` (escapes kept as written), or null when the text is not that. */
function parseLabels(text: string): [string, string][] | null {
  const pairs: [string, string][] = [];
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const match = LABEL.exec(text);
    if (!match) return text.slice(start).trim() === '' ? pairs : null;
    pairs.push([match[1], match[2]]);
  }
  return pairs;
}

function parseValue(text: string): number | null {
  // Prometheus reads these case-insensitively (Go's ParseFloat), and prom-client writes `Nan`.
  const special = text.toLowerCase();
  if (special === '+inf' || special === 'inf') return Infinity;
  if (special === '-inf') return -Infinity;
  if (special === 'nan') return NaN;
  const value = Number(text);
  return text.trim() !== '' && !Number.isNaN(value) ? value : null;
}
