import { Column, CreateDateColumn, Entity, PrimaryColumn, Unique } from 'typeorm';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** One event to one endpoint: the unit of retry, and the worker's queue row. */
@Entity({ name: 'deliveries' })
@Unique('deliveries_organization_id_id_key', ['organizationId', 'id'])
export class DeliveryEntity {
  @PrimaryColumn({ type: 'char', length: 24 })
  id!: string;

  @Column({ name: 'organization_id', type: 'char', length: 24 })
  organizationId!: string;

  @Column({ name: 'event_id', type: 'char', length: 24 })
  eventId!: string;

  @Column({ name: 'endpoint_id', type: 'char', length: 24 })
  endpointId!: string;

  @Column({ type: 'text' })
  status!: DeliveryStatus;

  /** How the next attempt is recorded: `manual` after a retry or recover request. */
  @Column({ name: 'next_trigger', type: 'text', default: 'scheduled' })
  nextTrigger!: 'scheduled' | 'manual';

  @Column({ name: 'attempt_count', type: 'integer' })
  attemptCount!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  @Column({ name: 'claim_id', type: 'uuid', nullable: true })
  claimId!: string | null;

  @Column({ name: 'claim_expires_at', type: 'timestamptz', nullable: true })
  claimExpiresAt!: Date | null;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
