import {
  type EntityManager,
  type EntityTarget,
  type ObjectLiteral,
  type SelectQueryBuilder,
} from 'typeorm';

/** A position in a newest-first list: the creation time and id of the last row already shown. */
export interface ListPosition {
  readonly createdAt: Date;
  readonly id: string;
}

/** One page of a newest-first list: the rows after `after`, at most `limit` of them plus one. */
export interface NewestFirstQuery {
  readonly limit: number;
  readonly after?: ListPosition | null;
}

/**
 * Orders a query aliased `row` newest first and starts after the position; fetches one row more
 * than the page, so the caller knows whether another page follows.
 */
export function newestFirst<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  { limit, after }: NewestFirstQuery,
): SelectQueryBuilder<T> {
  if (after)
    query.andWhere('(row.created_at, row.id) < (:cursorAt, :cursorId)', {
      cursorAt: after.createdAt,
      cursorId: after.id,
    });
  return query
    .orderBy('row.created_at', 'DESC')
    .addOrderBy('row.id', 'DESC')
    .take(limit + 1);
}

/** The rows of one endpoint of one organization, aliased `row`, for {@link newestFirst}. */
export function ofEndpoint<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  organizationId: string,
  endpointId: string,
): SelectQueryBuilder<T> {
  return manager
    .createQueryBuilder(entity, 'row')
    .where('row.organization_id = :organizationId AND row.endpoint_id = :endpointId', {
      organizationId,
      endpointId,
    });
}
