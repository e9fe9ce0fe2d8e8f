import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'organizations' })
export class OrganizationEntity {
  @PrimaryColumn({ type: 'char', length: 24 })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** Per-organization endpoint limit; null = the deployment default. */
  @Column({ name: 'endpoint_limit', type: 'integer', nullable: true })
  endpointLimit!: number | null;

  /** The Featurebase API version used when a request names none. */
  @Column({ name: 'featurebase_version', type: 'text', nullable: true })
  featurebaseVersion!: string | null;

  /** The origins that may embed the tenant portal in an iframe (CSP `frame-ancestors`). */
  @Column({ name: 'portal_allowed_origins', type: 'text', array: true, default: () => "'{}'" })
  portalAllowedOrigins!: string[];

  /**
   * Outbound allow-list entries (the syntax of `HOOKYARD_OUTBOUND_ALLOW`) that let this organization
   * alone reach addresses the SSRF guard refuses; set by an operator only.
   */
  @Column({ name: 'outbound_allow', type: 'text', array: true, default: () => "'{}'" })
  outboundAllow!: string[];

  /** The operator's own id for this tenant (its customer id); unique among live organizations. */
  @Column({ type: 'text', nullable: true })
  uid!: string | null;

  /** Rate limits of this organization's keys and portal sessions; null = the installation's. */
  @Column({ name: 'rate_limits', type: 'jsonb', nullable: true })
  rateLimits!: OrganizationRateLimits | null;

  /** Retry delays for every endpoint of the organization; null = each dialect's default. */
  @Column({ name: 'retry_schedule_seconds', type: 'integer', array: true, nullable: true })
  retryScheduleSeconds!: number[] | null;

  /** Endpoint health thresholds set for this organization; a missing one is the installation's. */
  @Column({ type: 'jsonb', nullable: true })
  thresholds!: OrganizationThresholds | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Set by DELETE: the organization is stopped, and a background job purges its rows. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}

/** A token bucket: `perSecond` refill (0 = unlimited) and `burst` capacity. */
export interface OrganizationRateRule {
  readonly perSecond: number;
  readonly burst: number;
}

export interface OrganizationRateLimits {
  readonly management?: OrganizationRateRule;
  readonly publishing?: OrganizationRateRule;
}

/** The installation's `HOOKYARD_PENALTY_AFTER` and siblings, set for one organization. */
export interface OrganizationThresholds {
  readonly penaltyAfter?: number;
  readonly pauseAfter?: number;
  readonly pauseAfterSeconds?: number;
  readonly suspendAfterSeconds?: number;
  readonly penaltyCooldownSeconds?: number;
}
