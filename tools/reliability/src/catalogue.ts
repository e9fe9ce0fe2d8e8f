import { type Dirent, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The groups of the catalogue, by the letter their row ids start with. */
export type CatalogueGroup =
  | 'delivery'
  | 'postgres'
  | 'ssrf'
  | 'signatures'
  | 'secrets'
  | 'tenancy'
  | 'receiver'
  | 'admin-limits'
  | 'access';

/** One row of the catalogue: what the automated tests must show. */
export interface CatalogueRow {
  readonly id: string;
  readonly group: CatalogueGroup;
  readonly scenario: string;
}

/** One of the bad inputs (`B1`..`B30`), with the answer it must get. */
export interface BadInput {
  readonly id: string;
  readonly request: string;
  readonly expected: string;
}

/**
 * The 50 reliability rows (D, P, S, G, K, T, R, A), then the 14 access rows (X1..X14): the promises a
 * credential, a scoped session and a limit keep when tried from outside (ADR 0016, ADR 0017).
 */
export const CATALOGUE: readonly CatalogueRow[] = [
  { id: 'D1', group: 'delivery', scenario: 'baseline fan-out' },
  { id: 'D2', group: 'delivery', scenario: 'topic routing' },
  { id: 'D3', group: 'delivery', scenario: 'worker SIGKILL mid-batch' },
  { id: 'D4', group: 'delivery', scenario: 'repeated SIGKILL chaos' },
  { id: 'D5', group: 'delivery', scenario: 'SIGTERM graceful shutdown' },
  { id: 'D6', group: 'delivery', scenario: 'processed but ack lost' },
  { id: 'D7', group: 'delivery', scenario: 'slow handler vs lease' },
  { id: 'D8', group: 'delivery', scenario: 'two workers compete' },
  { id: 'D9', group: 'delivery', scenario: 'retry then success' },
  { id: 'D10', group: 'delivery', scenario: 'exhaustion' },
  { id: 'D11', group: 'delivery', scenario: 'auto-pause vs sporadic failure' },
  { id: 'D12', group: 'delivery', scenario: 'no head-of-line blocking' },
  { id: 'D13', group: 'delivery', scenario: 'delete, disable, replay' },
  { id: 'D14', group: 'delivery', scenario: 'secret rotation during retries' },
  {
    id: 'P1',
    group: 'postgres',
    scenario: 'Postgres restart or crash mid-run; start with it down',
  },
  { id: 'P2', group: 'postgres', scenario: 'API SIGKILL during ingest' },
  { id: 'P3', group: 'postgres', scenario: 'idempotent ingest' },
  { id: 'P4', group: 'postgres', scenario: 'outbox atomicity' },
  { id: 'P5', group: 'postgres', scenario: 'pool exhaustion' },
  { id: 'P6', group: 'postgres', scenario: 'table lock or slow query' },
  { id: 'S1', group: 'ssrf', scenario: 'private, loopback and encoded IPv4 literals' },
  { id: 'S2', group: 'ssrf', scenario: 'IPv6 forms, IPv4 inside IPv6' },
  { id: 'S3', group: 'ssrf', scenario: 'hostname resolves to loopback' },
  { id: 'S4', group: 'ssrf', scenario: 'DNS rebinding and mixed answers' },
  { id: 'S5', group: 'ssrf', scenario: 'redirect to internal' },
  { id: 'S6', group: 'ssrf', scenario: 'allow-list semantics' },
  { id: 'S7', group: 'ssrf', scenario: 'sync "send test payload"' },
  { id: 'S8', group: 'ssrf', scenario: 'scheme, userinfo, proxy env' },
  { id: 'G1', group: 'signatures', scenario: 'conformance; bytes signed == bytes sent' },
  { id: 'G2', group: 'signatures', scenario: 'secret format, entropy, header hygiene' },
  { id: 'G3', group: 'signatures', scenario: 'our own verify helper' },
  { id: 'K1', group: 'secrets', scenario: 'no plaintext at rest (incl. API keys)' },
  { id: 'K2', group: 'secrets', scenario: 'API never returns outbound credentials' },
  { id: 'K3', group: 'secrets', scenario: 'logs and attempt records redacted' },
  { id: 'K4', group: 'secrets', scenario: 'KEK rotation under load; key revocation' },
  { id: 'T1', group: 'tenancy', scenario: 'IDOR matrix, lists and cursors' },
  { id: 'T2', group: 'tenancy', scenario: 'mass assignment' },
  { id: 'T3', group: 'tenancy', scenario: 'permission gating' },
  { id: 'T4', group: 'tenancy', scenario: 'auth header variants' },
  { id: 'T5', group: 'tenancy', scenario: 'fan-out isolation' },
  { id: 'R1', group: 'receiver', scenario: 'slowloris and drip' },
  { id: 'R2', group: 'receiver', scenario: 'huge body, gzip bomb, huge headers' },
  { id: 'R3', group: 'receiver', scenario: 'connection reset or refused' },
  { id: 'R4', group: 'receiver', scenario: 'TLS failure' },
  { id: 'R5', group: 'receiver', scenario: '410 Gone' },
  { id: 'R6', group: 'receiver', scenario: '429 + Retry-After' },
  { id: 'R7', group: 'receiver', scenario: 'status semantics' },
  { id: 'R8', group: 'receiver', scenario: 'one blackhole endpoint' },
  { id: 'A1', group: 'admin-limits', scenario: 'rate limit per key or org' },
  { id: 'A2', group: 'admin-limits', scenario: 'payload and JSON limits' },
  { id: 'X1', group: 'access', scenario: 'credentials bound to their origin' },
  { id: 'X2', group: 'access', scenario: 'scoped portal session cannot widen topics' },
  { id: 'X3', group: 'access', scenario: 'revoked key ends its portal sessions; list' },
  { id: 'X4', group: 'access', scenario: 'test sends limited and marked' },
  { id: 'X5', group: 'access', scenario: 'outbound allowance per organization' },
  { id: 'X6', group: 'access', scenario: 'management and publishing limits bind' },
  { id: 'X7', group: 'access', scenario: 'failed auth limited before lookup; proxy' },
  { id: 'X8', group: 'access', scenario: 'bootstrap key rotation' },
  { id: 'X9', group: 'access', scenario: 'deny by default over the route table' },
  { id: 'X10', group: 'access', scenario: 'tenant integrity in the schema' },
  { id: 'X11', group: 'access', scenario: 'at-rest cipher bound to its row' },
  { id: 'X12', group: 'access', scenario: 'unstorable text 400; OpenAPI fuzz' },
  { id: 'X13', group: 'access', scenario: 'production defaults: URL, metrics, CSP' },
  { id: 'X14', group: 'access', scenario: 'a revoked key revokes the keys it minted' },
];

/**
 * The 27 bad inputs of the admin API, then B28 and B29 (text PostgreSQL cannot store) and B30 (an
 * organization's uid and settings).
 */
export const BAD_INPUTS: readonly BadInput[] = [
  { id: 'B1', request: 'url http:// in production mode', expected: '400 URL_MUST_BE_HTTPS' },
  {
    id: 'B2',
    request: 'url loopback, empty allow-list',
    expected: '400 TARGET_NOT_ALLOWED',
  },
  { id: 'B3', request: 'url 2130706433, 0x7f.1, 0', expected: '400 TARGET_NOT_ALLOWED' },
  { id: 'B4', request: 'url of a cloud metadata address', expected: '400 TARGET_NOT_ALLOWED' },
  { id: 'B5', request: 'url with user:pass@', expected: '400 URL_CREDENTIALS_NOT_ALLOWED' },
  {
    id: 'B6',
    request: 'url scheme other than http(s)',
    expected: '400 URL_SCHEME_NOT_ALLOWED',
  },
  { id: 'B7', request: 'url too long, empty, no host, with a space', expected: '400 URL_INVALID' },
  { id: 'B8', request: '11 custom headers', expected: '400 TOO_MANY_HEADERS' },
  {
    id: 'B9',
    request: 'header value with CR, LF or NUL',
    expected: '400 HEADER_VALUE_INVALID (NUL: UNSUPPORTED_TEXT)',
  },
  {
    id: 'B10',
    request: 'Host, Content-Length, ... as custom header',
    expected: '400 HEADER_FORBIDDEN',
  },
  { id: 'B11', request: 'webhook-* as a custom header', expected: '400 HEADER_RESERVED' },
  { id: 'B12', request: 'header name not an RFC 7230 token', expected: '400 HEADER_NAME_INVALID' },
  { id: 'B13', request: 'header value > 4 KB or headers > 8 KB', expected: '400 HEADER_TOO_LARGE' },
  {
    id: 'B14',
    request: 'name empty, 256+ chars or with control chars',
    expected: '400 NAME_INVALID',
  },
  {
    id: 'B15',
    request: 'topics empty, malformed, repeated, unknown',
    expected: '400/422 TOPIC_*',
  },
  { id: 'B16', request: 'GET /endpoints/not-a-uuid', expected: '400 ID_INVALID' },
  { id: 'B17', request: "GET another organization's endpoint", expected: '404 NOT_FOUND' },
  {
    id: 'B18',
    request: 'secret short, unprefixed, non-base64, long',
    expected: '400 SECRET_INVALID',
  },
  {
    id: 'B19',
    request: 'grace out of range; 11th rotation',
    expected: '400 GRACE_PERIOD_INVALID',
  },
  {
    id: 'B20',
    request: 'auth basic a:b / empty password, apiKey Host',
    expected: '400 AUTH_INVALID',
  },
  {
    id: 'B21',
    request: 'orgId, status, failureCount, createdAt',
    expected: '400 PROPERTY_NOT_ALLOWED',
  },
  { id: 'B22', request: 'non-JSON, text/plain, depth > 32, > 1 MB', expected: '400 / 415 / 413' },
  {
    id: 'B23',
    request: 'limit=100000 or -1, cursor=%00garbage',
    expected: '400 PAGINATION_INVALID',
  },
  {
    id: 'B24',
    request: 'no, empty, revoked or two different keys',
    expected: '401 UNAUTHENTICATED',
  },
  {
    id: 'B25',
    request: 'key without WEBHOOK.UPDATE: PATCH, rotate, pause',
    expected: '403 FORBIDDEN',
  },
  {
    id: 'B26',
    request: 'same Idempotency-Key, other body',
    expected: '422 IDEMPOTENCY_KEY_REUSED',
  },
  { id: 'B27', request: 'over the rate limit', expected: '429 RATE_LIMITED + Retry-After' },
  { id: 'B28', request: 'lone surrogate in event data', expected: '400 UNSUPPORTED_TEXT' },
  { id: 'B29', request: 'NUL in an API key name', expected: '400 UNSUPPORTED_TEXT' },
  {
    id: 'B30',
    request: 'organization: duplicate, malformed or unknown uid; malformed setting',
    expected: '409 UID_TAKEN, 400 naming the field, 404',
  },
];

/** Every id a test title may start with: the 64 rows, then the 30 bad inputs. */
export const CATALOGUE_IDS: readonly string[] = [
  ...CATALOGUE.map((row) => row.id),
  ...BAD_INPUTS.map((input) => input.id),
];

/** One test title that starts with catalogue ids, and the file (repo-relative, `/`-separated) it is in. */
export interface TestTitle {
  readonly file: string;
  readonly title: string;
  readonly ids: readonly string[];
}

/**
 * The repo's test files, repo-relative: `apps/**\/test/**\/*.ts`, `apps/**\/src/**\/*.spec.ts`,
 * `libs/**\/src/**\/*.spec.ts` and `*.int-spec.ts`, `libs/**\/test/**\/*.ts`, and
 * `tools/reliability/suite/*.reliability-spec.ts`; never under node_modules or dist.
 */
export function testFiles(root: string): string[] {
  const files: string[] = [];
  for (const top of ['apps', 'libs']) {
    for (const file of walk(root, top)) {
      const parts = file.split('/');
      const inTest = parts.includes('test') && file.endsWith('.ts');
      const inSrc =
        parts.includes('src') &&
        (file.endsWith('.spec.ts') || (top === 'libs' && file.endsWith('.int-spec.ts')));
      if (inTest || inSrc) files.push(file);
    }
  }
  const suite = 'tools/reliability/suite';
  for (const entry of entries(join(root, suite)))
    if (entry.isFile() && entry.name.endsWith('.reliability-spec.ts'))
      files.push(`${suite}/${entry.name}`);
  return files.sort();
}

const KNOWN = new Set(CATALOGUE_IDS);

/**
 * The catalogue ids a title starts with: its leading space-separated words while they are ids
 * (`'T3 T4 permission gating'` gives T3 and T4; `'refuses ... (S8)'` gives none).
 */
export function leadingIds(title: string): string[] {
  const ids: string[] = [];
  for (const word of title.trimStart().split(/\s+/)) {
    if (!KNOWN.has(word)) break;
    ids.push(word);
  }
  return ids;
}

/**
 * A title: `it(`, `test(` or `describe(` (also `.each(table)(`, `.only(`, `.concurrent(`) then a
 * string or template literal; or, for tests generated from a table, a `title:` field of the table.
 */
const TITLE =
  /(?:\b(?:it|test|describe)(?:\.(?:only|concurrent|each\s*\([^()]*\)))?\s*\(|\btitle:)\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;

/** The titles of one file's source that start with catalogue ids. */
export function titlesIn(file: string, source: string): TestTitle[] {
  const titles: TestTitle[] = [];
  for (const match of source.matchAll(TITLE)) {
    const title = match[2] ?? '';
    const ids = leadingIds(title);
    if (ids.length > 0) titles.push({ file, title, ids });
  }
  return titles;
}

/** Every test title of the repo at `root` that starts with catalogue ids. */
export function catalogueTitles(root: string): TestTitle[] {
  return testFiles(root).flatMap((file) => titlesIn(file, readFileSync(join(root, file), 'utf8')));
}

/**
 * For each catalogue id (rows and bad inputs, in catalogue order), the repo-relative test files with
 * a title that starts with it; an empty list for an id no test names.
 */
export function whereTested(root: string): Map<string, string[]> {
  const found = new Map<string, Set<string>>(CATALOGUE_IDS.map((id) => [id, new Set()]));
  for (const title of catalogueTitles(root))
    for (const id of title.ids) found.get(id)?.add(title.file);
  return new Map([...found].map(([id, files]) => [id, [...files].sort()]));
}

function walk(root: string, dir: string): string[] {
  const files: string[] = [];
  for (const entry of entries(join(root, dir))) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.'))
      continue;
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) files.push(...walk(root, path));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

function entries(dir: string): Dirent[] {
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : [];
}
