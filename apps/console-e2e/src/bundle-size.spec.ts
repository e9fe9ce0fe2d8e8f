import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Issue 16's budget for the console's production build: all of its JavaScript, gzipped. */
const BUDGET_BYTES = 500 * 1024;
const assets = join(__dirname, '..', '..', 'console', 'dist', 'assets');

describe('the console production build', () => {
  it('ships under 500 KB of gzipped JavaScript', () => {
    const scripts = readdirSync(assets).filter((name) => name.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    const sizes = scripts.map((name) => gzipSync(readFileSync(join(assets, name))).length);
    const total = sizes.reduce((sum, size) => sum + size, 0);
    console.log(
      `console JavaScript: ${scripts.length} file(s), ${(total / 1024).toFixed(1)} KB gzipped (budget 500 KB)`,
    );
    expect(total).toBeLessThan(BUDGET_BYTES);
  });
});
