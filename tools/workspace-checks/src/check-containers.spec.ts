import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const SCRIPT = join(ROOT, 'tools', 'scripts', 'check-containers.cjs');
const COMPOSE = readFileSync(join(ROOT, 'docker', 'docker-compose.yml'), 'utf8');
const DOCKERFILE = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8');

/** Runs the check, optionally against copies of the container files written to a temp folder. */
function check(copies: { compose?: string; dockerfile?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'check-containers-'));
  try {
    const args: string[] = [];
    if (copies.compose !== undefined) {
      writeFileSync(join(dir, 'docker-compose.yml'), copies.compose);
      args.push('--compose', join(dir, 'docker-compose.yml'));
    }
    if (copies.dockerfile !== undefined) {
      writeFileSync(join(dir, 'Dockerfile'), copies.dockerfile);
      args.push('--dockerfile', join(dir, 'Dockerfile'));
    }
    const run = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8' });
    return { status: run.status, stderr: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('container files', () => {
  it('passes docker/docker-compose.yml and docker/Dockerfile', () => {
    const { status, stderr } = check();
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });

  it('fails a compose file with an unknown top-level key, naming the key', () => {
    const { status, stderr } = check({ compose: `${COMPOSE}\nbogus:\n  answer: 42\n` });
    expect(status).toBe(1);
    expect(stderr).toContain('unknown key "bogus"');
  });

  it('fails a compose file whose API does not wait for the migration job to succeed', () => {
    const compose = COMPOSE.replace(
      /(\n  api:[\s\S]*?migrate:\n\s+condition: )service_completed_successfully/,
      '$1service_started',
    );
    expect(compose).not.toBe(COMPOSE);
    const { status, stderr } = check({ compose });
    expect(status).toBe(1);
    expect(stderr).toContain('services.api');
  });

  it('fails a Dockerfile that runs as root, from latest, without a health check', () => {
    const dockerfile = DOCKERFILE.replace(/^USER .*$/m, '')
      .replace(/^HEALTHCHECK[\s\S]*?\n(?=\S)/m, '')
      .replace(/^FROM node:\S+ AS runtime$/m, 'FROM node:latest AS runtime');
    const { status, stderr } = check({ dockerfile });
    expect(status).toBe(1);
    expect(stderr).toContain('no USER');
    expect(stderr).toContain('latest tag');
    expect(stderr).toContain('no HEALTHCHECK');
  });

  it('fails a Dockerfile that skips a workspace manifest before npm install', () => {
    const dockerfile = DOCKERFILE.replace(/^COPY apps\/worker\/package\.json .*$/m, '');
    const { status, stderr } = check({ dockerfile });
    expect(status).toBe(1);
    expect(stderr).toContain('COPY apps/worker/package.json');
  });
});
