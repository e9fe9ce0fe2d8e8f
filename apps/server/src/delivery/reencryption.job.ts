import { Logger } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { reencryptSecrets, type SecretCipher } from '@hookyard/data-access';
import { PeriodicJob } from './periodic-job';

const logger = new Logger('Reencryption');

/**
 * Moves secrets stored under an older encryption key (`HOOKYARD_ENCRYPTION_KEYS_PREVIOUS`) to the
 * current one, at start and then periodically, in small batches; once it reports nothing left, the
 * older keys can be dropped from the configuration.
 */
export function reencryptionJob(
  dataSource: DataSource,
  cipher: SecretCipher,
  intervalMs: number,
): PeriodicJob {
  return new PeriodicJob('reencryption', intervalMs, async () => {
    const moved = await reencryptSecrets(dataSource, cipher);
    if (moved > 0)
      logger.log(
        `re-encrypted ${moved} secrets with encryption key version ${cipher.currentVersion}`,
      );
  });
}
