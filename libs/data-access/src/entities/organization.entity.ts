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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
