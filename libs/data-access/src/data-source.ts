import { DataSource } from 'typeorm';
import { ApiKeyEntity } from './entities/api-key.entity';
import { AttemptEntity } from './entities/attempt.entity';
import { DeliveryEntity } from './entities/delivery.entity';
import { EndpointSecretEntity } from './entities/endpoint-secret.entity';
import { EndpointEntity } from './entities/endpoint.entity';
import { EventEntity } from './entities/event.entity';
import { OrganizationEntity } from './entities/organization.entity';
import { PortalSessionEntity } from './entities/portal-session.entity';
import { CreateSchema1764000000000 } from './migrations/1764000000000-CreateSchema';
import { AddDeliveryTrigger1764100000000 } from './migrations/1764100000000-AddDeliveryTrigger';
import { AddPlatformFields1764200000000 } from './migrations/1764200000000-AddPlatformFields';
import { AddPortalSessions1764300000000 } from './migrations/1764300000000-AddPortalSessions';
import { AddEventTopicIndex1764400000000 } from './migrations/1764400000000-AddEventTopicIndex';
import { AddTenantForeignKeys1765000000000 } from './migrations/1765000000000-AddTenantForeignKeys';
import { AddPortalSessionTopicCeilings1765000000001 } from './migrations/1765000000001-AddPortalSessionTopicCeilings';
import { AddOrganizationOutboundAllow1765100000000 } from './migrations/1765100000000-AddOrganizationOutboundAllow';
import { AddBootstrapKeyAndSessionCreatorIndex1765200000000 } from './migrations/1765200000000-AddBootstrapKeyAndSessionCreatorIndex';
import { AddOrganizationUidAndSettings1765300000000 } from './migrations/1765300000000-AddOrganizationUidAndSettings';

export const ENTITIES = [
  OrganizationEntity,
  ApiKeyEntity,
  EndpointEntity,
  EndpointSecretEntity,
  EventEntity,
  DeliveryEntity,
  AttemptEntity,
  PortalSessionEntity,
];

export const MIGRATIONS = [
  CreateSchema1764000000000,
  AddDeliveryTrigger1764100000000,
  AddPlatformFields1764200000000,
  AddPortalSessions1764300000000,
  AddEventTopicIndex1764400000000,
  AddTenantForeignKeys1765000000000,
  AddPortalSessionTopicCeilings1765000000001,
  AddOrganizationOutboundAllow1765100000000,
  AddBootstrapKeyAndSessionCreatorIndex1765200000000,
  AddOrganizationUidAndSettings1765300000000,
];

export interface DataSourceOptions {
  url: string;
  /** Pool size; the embedded database needs at least this many socket connections. */
  poolSize?: number;
  /** Fails a statement that runs longer than this instead of hanging the request. */
  statementTimeoutMs?: number;
  /** Fails a statement that waits on a lock longer than this. */
  lockTimeoutMs?: number;
  /** How long to wait for a pool connection or a new TCP connection. */
  connectTimeoutMs?: number;
}

/**
 * A TypeORM DataSource over PostgreSQL; the schema comes from migrations only, never synchronisation.
 * Every connection of its pool starts with `statement_timeout` and `lock_timeout` set (startup
 * parameters), the worker's `LISTEN` connection included, so no statement can hang a caller.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'hookyard_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    poolSize: options.poolSize ?? 10,
    extra: {
      statement_timeout: options.statementTimeoutMs ?? 10_000,
      lock_timeout: options.lockTimeoutMs ?? 5_000,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    },
  });
}

/** Connects and applies pending migrations. */
export async function openDatabase(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
