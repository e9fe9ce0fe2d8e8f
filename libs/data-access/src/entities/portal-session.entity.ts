import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** How the tenant portal looks: the SaaS's accent colour and logo, light or dark. */
export interface PortalTheme {
  /** `#rrggbb`. */
  readonly accentColor?: string;
  /** An https URL. */
  readonly logoUrl?: string;
  readonly mode?: 'light' | 'dark';
}

/** The most an endpoint-scoped session may subscribe one endpoint to: the endpoint's own at mint. */
export interface TopicCeiling {
  readonly topics: readonly string[];
  readonly excludedTopics: readonly string[];
}

/**
 * A tenant-portal session: a short-lived `hkp_` token, stored as a SHA-256 hash, acting for one
 * organization with at most the permissions of the key that made it, optionally on some endpoints.
 */
@Entity({ name: 'portal_sessions' })
export class PortalSessionEntity {
  @PrimaryColumn({ type: 'char', length: 24 })
  id!: string;

  @Index('portal_sessions_organization_id_idx')
  @Column({ name: 'organization_id', type: 'char', length: 24 })
  organizationId!: string;

  @Column({ name: 'token_hash', type: 'text', unique: true })
  tokenHash!: string;

  @Column({ type: 'text', array: true })
  permissions!: string[];

  /** The endpoints the session sees; null = every endpoint of the organization. */
  @Column({ name: 'endpoint_ids', type: 'char', length: 24, array: true, nullable: true })
  endpointIds!: string[] | null;

  /**
   * Per endpoint id, the subscription the session may narrow but not widen; null for a session over
   * the whole organization (and for endpoint-scoped ones minted before ceilings were kept).
   */
  @Column({ name: 'topic_ceilings', type: 'jsonb', nullable: true })
  topicCeilings!: Record<string, TopicCeiling> | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  theme!: PortalTheme;

  /** Where the portal sends a user whose session has expired (the SaaS mints a new one there). */
  @Column({ name: 'refresh_url', type: 'text', nullable: true })
  refreshUrl!: string | null;

  /** The API key that made the session. */
  @Column({ name: 'created_by_key_id', type: 'char', length: 24, nullable: true })
  createdByKeyId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
