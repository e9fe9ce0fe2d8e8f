import { constants, createGzip } from 'node:zlib';

/** What the gzip bomb inflates to: 1 GiB of zeros. */
export const GZIP_BOMB_INFLATED_BYTES = 1024 * 1024 * 1024;

let bomb: Promise<Buffer> | undefined;

/**
 * A gzip body (about 1 MB) that inflates to 1 GiB of zeros, made once per process by streaming one
 * reused 1 MiB zero buffer through zlib (run-length strategy: well under a second, bounded memory).
 */
export function gzipBomb(): Promise<Buffer> {
  bomb ??= new Promise<Buffer>((resolve, reject) => {
    const gzip = createGzip({ level: 9, memLevel: 9, strategy: constants.Z_RLE });
    const parts: Buffer[] = [];
    gzip.on('data', (part: Buffer) => parts.push(part));
    gzip.once('end', () => resolve(Buffer.concat(parts)));
    gzip.once('error', reject);
    const zeros = Buffer.alloc(1024 * 1024);
    let left = GZIP_BOMB_INFLATED_BYTES / zeros.length;
    const pump = (): void => {
      while (left > 0) {
        left--;
        if (!gzip.write(zeros)) {
          gzip.once('drain', pump);
          return;
        }
      }
      gzip.end();
    };
    pump();
  });
  return bomb;
}
