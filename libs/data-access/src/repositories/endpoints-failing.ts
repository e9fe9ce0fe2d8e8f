import { type DataSource } from 'typeorm';
import { type OrganizationThresholds } from '../entities/organization.entity';

/** An endpoint a duration rule may move now, and its organization's own thresholds. */
export interface EndpointDueForTimeRules {
  readonly organizationId: string;
  readonly id: string;
  /** `organizations.thresholds`: what the caller merges over the installation's. */
  readonly thresholds: OrganizationThresholds | null;
}

/** An organization's own window (a positive number of seconds in `thresholds`) in ms, else `fallback`. */
function windowMs(key: keyof OrganizationThresholds, fallback: string): string {
  return `CASE WHEN jsonb_typeof(o.thresholds -> '${key}') = 'number'
      AND (o.thresholds ->> '${key}')::double precision > 0
    THEN (o.thresholds ->> '${key}')::double precision * 1000 ELSE ${fallback} END`;
}

/**
 * Endpoints, across every live organization, that a duration rule of the state machine may move now:
 * active ones failing for at least the shorter window (pause or suspend), and ones paused for failures
 * that have failed for the suspension window. Each organization's own windows
 * (`thresholds.pauseAfterSeconds`, `suspendAfterSeconds`) take the place of `windows` where set.
 * Longest failing first, so a backlog is worked through in order. A system query for the health
 * sweep, the one caller without a tenant.
 */
export async function endpointsDueForTimeRules(
  dataSource: DataSource,
  windows: { pauseAfterMs: number; suspendAfterMs: number },
  limit = 500,
): Promise<EndpointDueForTimeRules[]> {
  const rows = await dataSource.query<
    { id: string; organization_id: string; thresholds: OrganizationThresholds | null }[]
  >(
    `SELECT e.id, e.organization_id, o.thresholds
     FROM endpoints e
     JOIN organizations o ON o.id = e.organization_id
     CROSS JOIN LATERAL (SELECT
       ${windowMs('pauseAfterSeconds', '$1::double precision')} AS pause_ms,
       ${windowMs('suspendAfterSeconds', '$2::double precision')} AS suspend_ms) w
     WHERE e.failing_since IS NOT NULL AND o.deleted_at IS NULL AND (
       (e.status = 'active'
         AND e.failing_since <= now() - make_interval(secs => least(w.pause_ms, w.suspend_ms) / 1000))
       OR (e.status = 'paused' AND e.status_reason IN ('consecutive_failures', 'failure_duration')
         AND e.failing_since <= now() - make_interval(secs => w.suspend_ms / 1000)))
     ORDER BY e.failing_since, e.id
     LIMIT $3`,
    [windows.pauseAfterMs, windows.suspendAfterMs, limit],
  );
  return rows.map((row) => ({
    organizationId: row.organization_id,
    id: row.id,
    thresholds: row.thresholds,
  }));
}
