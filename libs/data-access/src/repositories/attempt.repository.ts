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
}
