import { Logger } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { countStaleSecrets, reencryptSecrets, type SecretCipher } from '@hookyard/data-access';
import { PeriodicJob } from './periodic-job.util';

const logger = new Logger('Reencryption');

/**
 * Moves secrets stored under an older encryption key (`HOOKYARD_ENCRYPTION_KEYS_PREVIOUS`) to the
 * current one, at start and then periodically, in small batches, and says when none is left on an
 * older key. A value no configured key can read is named (table and id, never the value) and skipped.
 */
export function reencryptionJob(
  dataSource: DataSource,
  cipher: SecretCipher,
  intervalMs: number,
): PeriodicJob {
  return new PeriodicJob('reencryption', intervalMs, async () => {
    const { moved, unreadable } = await reencryptSecrets(dataSource, cipher);
    if (moved > 0)
      logger.log(
        `re-encrypted ${moved} secrets with encryption key version ${cipher.currentVersion}`,
      );
    if (unreadable.length > 0) {
      logger.error(
        `${unreadable.length} stored secrets match no configured key and were left as they are: ${unreadable.slice(0, 20).join(', ')}`,
      );
    }
    if (moved === 0 && unreadable.length === 0) return;
    const stale = await countStaleSecrets(dataSource, cipher);
    const newer = cipher.keptVersions.length > 1; // a rollout's first step: the new key is previous
    logger.log(
      stale > 0
        ? `${stale} secrets are still on an older encryption key or not bound to their rows`
        : newer
          ? `no secret is left on an encryption key older than version ${cipher.currentVersion}`
          : `every secret is on encryption key version ${cipher.currentVersion}; once every process runs this configuration, the previous keys can be dropped`,
    );
  });
}
