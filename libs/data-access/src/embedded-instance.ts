import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EMBEDDED_USER, EmbeddedPostgresError, startEmbeddedPostgres } from './embedded-postgres';

/** The embedded database of a Hookyard data directory, served by this process or by its owner. */
export interface EmbeddedDatabase {
  readonly url: string;
  /** True when this process started the server (and stops it on close). */
  readonly owned: boolean;
  close(): Promise<void>;
}

/**
 * `serve`: this process must own the data directory (`npm start`); another live owner is an error.
 * `join`: use the owner's server when one runs (the CLI beside `npm start`), else serve it for a while.
 */
export type EmbeddedAccess = 'serve' | 'join';

/** Another process already serves this data directory. */
export class DataDirectoryBusyError extends EmbeddedPostgresError {}

const OWNER_FILE = 'owner.json';
const PASSWORD_FILE = 'postgres.password';

interface Owner {
  readonly pid: number;
  readonly port?: number;
}

/**
 * Opens the embedded PostgreSQL of `dataDir` (`<dataDir>/pgdata`). The owner file, made with O_EXCL,
 * makes one process at a time the owner; it holds the owner's pid and, once the server is up, its port.
 * An owner file whose process is gone (SIGKILL) is taken over, and the server it left is restarted.
 */
export async function openEmbeddedDatabase(
  dataDir: string,
  access: EmbeddedAccess,
  settings?: Readonly<Record<string, string | number>>,
): Promise<EmbeddedDatabase> {
  ensureWritable(dataDir);
  const ownerFile = join(dataDir, OWNER_FILE);
  const password = loadOrCreatePassword(dataDir);
  for (;;) {
    if (claim(ownerFile)) break;
    const owner = readOwner(ownerFile);
    if (owner && alive(owner.pid)) {
      if (access === 'serve')
        throw new DataDirectoryBusyError(
          `Hookyard (pid ${owner.pid}) is already running on ${dataDir}: stop it first, or set HOOKYARD_DATA_DIR to another directory`,
        );
      const port = owner.port ?? (await waitForPort(ownerFile, owner.pid));
      if (port !== null) return { url: urlOf(password, port), owned: false, close: async () => {} };
    }
    rmSync(ownerFile, { force: true }); // its owner is gone: take it over
  }
  try {
    const server = await startEmbeddedPostgres({
      dataDir: join(dataDir, 'pgdata'),
      password,
      settings,
    });
    writeOwner(ownerFile, { pid: process.pid, port: server.port });
    return {
      url: server.url,
      owned: true,
      async close() {
        await server.stop();
        rmSync(ownerFile, { force: true });
      },
    };
  } catch (error) {
    rmSync(ownerFile, { force: true });
    throw error;
  }
}

function urlOf(password: string, port: number): string {
  return `postgres://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

/** One clear line when the data directory cannot be made or written, before anything else happens. */
function ensureWritable(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
    const probe = join(dataDir, `.write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
    // PostgreSQL runs as `postgres` when Hookyard runs as root: it must be able to pass through.
    if (process.getuid?.() === 0) chmodSync(dataDir, statSync(dataDir).mode | 0o011);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new EmbeddedPostgresError(
      `cannot write the data directory ${dataDir} (${reason}): set HOOKYARD_DATA_DIR to a writable directory`,
    );
  }
}

function loadOrCreatePassword(dataDir: string): string {
  const path = join(dataDir, PASSWORD_FILE);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const password = randomBytes(24).toString('hex');
  writeFileSync(path, `${password}\n`, { mode: 0o600 });
  return password;
}

function claim(ownerFile: string): boolean {
  try {
    writeFileSync(ownerFile, JSON.stringify({ pid: process.pid }), { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function writeOwner(ownerFile: string, owner: Owner): void {
  const partial = `${ownerFile}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(owner), { mode: 0o600 });
  renameSync(partial, ownerFile);
}

function readOwner(ownerFile: string): Owner | null {
  try {
    const owner = JSON.parse(readFileSync(ownerFile, 'utf8')) as Partial<Owner>;
    return typeof owner.pid === 'number' ? (owner as Owner) : null;
  } catch {
    return null; // gone meanwhile, or half-written by a process that died
  }
}

/** The owner is starting its server: wait for the port it writes once the server answers. */
async function waitForPort(ownerFile: string, pid: number): Promise<number | null> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && alive(pid)) {
    const owner = readOwner(ownerFile);
    if (owner?.pid !== pid) return null;
    if (owner.port !== undefined) return owner.port;
    await sleep(50);
  }
  return null;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return false; // a file this process has not written yet: left from before

  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // After a reboot the pid may belong to another program: an owner is always a node process.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true; // no /proc (macOS): trust the signal check
  }
}
