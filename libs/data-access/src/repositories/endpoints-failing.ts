import { type DataSource } from 'typeorm';

/**
 * Endpoints, across every organization, that a duration rule of the state machine may move now: active
 * ones failing for at least the shorter window (pause or suspend), and ones paused for failures that
 * have failed for the suspension window. Longest failing first, so a backlog is worked through in
 * order. A system query for the health sweep, the one caller without a tenant.
 */
export async function endpointsDueForTimeRules(
  dataSource: DataSource,
  windows: { pauseAfterMs: number; suspendAfterMs: number },
  limit = 500,
): Promise<{ organizationId: string; id: string }[]> {
  const rows = await dataSource.query<{ id: string; organization_id: string }[]>(
    `SELECT id, organization_id FROM endpoints
     WHERE failing_since IS NOT NULL AND (
       (status = 'active'
         AND failing_since <= now() - make_interval(secs => least($1::double precision, $2::double precision) / 1000))
       OR (status = 'paused' AND status_reason IN ('consecutive_failures', 'failure_duration')
         AND failing_since <= now() - make_interval(secs => $2::double precision / 1000)))
     ORDER BY failing_since, id
     LIMIT $3`,
    [windows.pauseAfterMs, windows.suspendAfterMs, limit],
  );
  return rows.map((row) => ({ organizationId: row.organization_id, id: row.id }));
}
