import { type EntityManager } from 'typeorm';
import { OrganizationEntity } from '../entities/organization.entity';

export class OrganizationRepository {
  constructor(private readonly manager: EntityManager) {}

  findById(id: string): Promise<OrganizationEntity | null> {
    return this.manager.findOneBy(OrganizationEntity, { id });
  }

  async insert(organization: OrganizationEntity): Promise<void> {
    await this.manager.insert(OrganizationEntity, organization);
  }
}
