import { Column, CreateDateColumn, Entity, PrimaryColumn, Unique, UpdateDateColumn } from 'typeorm';
import { type DeliveryDialect } from '@hookyard/webhook-core';

/** The dialect an endpoint was made through (webhook-core's delivery formats follow it). */
export type EndpointDialect = DeliveryDialect;
export type OutboundAuthType = 'none' | 'basic' | 'api_key';
/** `fifo`: one delivery in flight at a time, none sent before every earlier one is done. */
export type EndpointOrdering = 'none' | 'fifo';

/** A webhook endpoint: where, what, how, and the health the worker keeps for it. */
@Entity({ name: 'endpoints' })
@Unique('endpoints_organization_id_id_key', ['organizationId', 'id'])
export class EndpointEntity {
  @PrimaryColumn({ type: 'char', length: 24 })
  id!: string;

  @Column({ name: 'organization_id', type: 'char', length: 24 })
  organizationId!: string;

  /** The dialect the endpoint was made through; it decides the delivery format. */
  @Column({ type: 'text' })
  dialect!: EndpointDialect;

  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** The caller's own reference for the endpoint (the platform dialect requires one). */
  @Column({ type: 'text', nullable: true })
  reference!: string | null;

  /** A contact address for the endpoint's owner. */
  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ type: 'text', default: 'none' })
  ordering!: EndpointOrdering;

  @Column({ type: 'text', array: true })
  topics!: string[];

  @Column({ name: 'excluded_topics', type: 'text', array: true, default: () => "'{}'" })
  excludedTopics!: string[];

  @Column({ type: 'text' })
  status!: 'active' | 'paused' | 'suspended';

  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  @Column({ name: 'timeout_ms', type: 'integer' })
  timeoutMs!: number;

  @Column({ type: 'jsonb' })
  headers!: Record<string, string>;

  @Column({ name: 'auth_type', type: 'text' })
  authType!: OutboundAuthType;

  @Column({ name: 'auth_username', type: 'text', nullable: true })
  authUsername!: string | null;

  @Column({ name: 'auth_header_name', type: 'text', nullable: true })
  authHeaderName!: string | null;

  /** The basic-auth password or the API key value, encrypted. */
  @Column({ name: 'auth_secret_enc', type: 'text', nullable: true })
  authSecretEnc!: string | null;

  @Column({ name: 'signing_protocol', type: 'text' })
  signingProtocol!: string;

  @Column({ name: 'payload_version', type: 'text' })
  payloadVersion!: string;

  @Column({ name: 'include_previous_data', type: 'boolean' })
  includePreviousData!: boolean;

  @Column({ name: 'avg_response_time', type: 'integer' })
  avgResponseTime!: number;

  @Column({ name: 'last_response_time', type: 'integer', nullable: true })
  lastResponseTime!: number | null;

  @Column({ name: 'consecutive_failures', type: 'integer' })
  consecutiveFailures!: number;

  @Column({ name: 'errors_since_last_success', type: 'integer' })
  errorsSinceLastSuccess!: number;

  @Column({ name: 'sample_count', type: 'integer' })
  sampleCount!: number;

  @Column({ name: 'last_success_at', type: 'timestamptz', nullable: true })
  lastSuccessAt!: Date | null;

  @Column({ name: 'failing_since', type: 'timestamptz', nullable: true })
  failingSince!: Date | null;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode!: number | null;

  @Column({ name: 'last_status_message', type: 'text', nullable: true })
  lastStatusMessage!: string | null;

  @Column({ name: 'last_status_at', type: 'timestamptz', nullable: true })
  lastStatusAt!: Date | null;

  @Column({ name: 'penalty_until', type: 'timestamptz', nullable: true })
  penaltyUntil!: Date | null;

  @Column({ name: 'penalty_level', type: 'integer' })
  penaltyLevel!: number;

  @Column({ name: 'paused_at', type: 'timestamptz', nullable: true })
  pausedAt!: Date | null;

  @Column({ name: 'suspended_at', type: 'timestamptz', nullable: true })
  suspendedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
