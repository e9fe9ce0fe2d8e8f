import { type EntityManager } from 'typeorm';
import { AttemptEntity } from '../entities/attempt.entity';
import { newestFirst, type NewestFirstQuery, ofEndpoint } from './newest-first';

/** An attempt row before it is written; the repository sets the organization. */
export type NewAttempt = Omit<AttemptEntity, 'organizationId'>;

/** The attempt log: one row per HTTP try. Every method takes the organization first. */
export class AttemptRepository {
  constructor(private readonly manager: EntityManager) {}

  /** The endpoint's attempts, newest first: one page plus one row. */
  pageByEndpoint(
    organizationId: string,
    endpointId: string,
    page: NewestFirstQuery,
  ): Promise<AttemptEntity[]> {
    const query = ofEndpoint(this.manager, AttemptEntity, organizationId, endpointId);
    return newestFirst(query, page).getMany();
  }

  async insert(organizationId: string, attempt: NewAttempt): Promise<void> {
    await this.manager.insert(AttemptEntity, { ...attempt, organizationId });
  }

  /**
   * Inserts many attempts in one statement. Cross-tenant: the worker records the tries of several
   * organizations at once, and each row names its own.
   */
  async insertMany(attempts: readonly (NewAttempt & { organizationId: string })[]): Promise<void> {
    if (attempts.length === 0) return;
    await this.manager.insert(AttemptEntity, [...attempts]);
  }
}
