import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PEM key and self-signed certificate for 127.0.0.1 and localhost. */
export interface Certificate {
  readonly key: string;
  readonly cert: string;
  readonly source: 'openssl' | 'fixture';
}

/** The committed throwaway pair (see fixtures/README.md); the same path from src/ and dist/. */
const FIXTURES = join(__dirname, '..', 'fixtures');

/**
 * A fresh self-signed certificate made with the `openssl` binary (Node has no certificate
 * generator), or the committed test-only fixture when `openssl` is missing or `source` says so.
 */
export function selfSignedCertificate(source: 'openssl' | 'fixture' = 'openssl'): Certificate {
  if (source === 'openssl') {
    const fresh = opensslCertificate();
    if (fresh) return fresh;
  }
  return {
    key: readFileSync(join(FIXTURES, 'selfsigned-key.pem'), 'utf8'),
    cert: readFileSync(join(FIXTURES, 'selfsigned-cert.pem'), 'utf8'),
    source: 'fixture',
  };
}

function opensslCertificate(): Certificate | null {
  const dir = mkdtempSync(join(tmpdir(), 'hookyard-receiver-tls-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore', timeout: 10_000 },
    );
    return {
      key: readFileSync(keyFile, 'utf8'),
      cert: readFileSync(certFile, 'utf8'),
      source: 'openssl',
    };
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
