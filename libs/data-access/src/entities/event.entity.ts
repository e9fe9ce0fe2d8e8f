import { Column, CreateDateColumn, Entity, PrimaryColumn, Unique } from 'typeorm';

/** A published event (message); unique per organization and idempotency key. */
@Entity({ name: 'events' })
@Unique('events_organization_id_id_key', ['organizationId', 'id'])
export class EventEntity {
  @PrimaryColumn({ type: 'char', length: 24 })
  id!: string;

  @Column({ name: 'organization_id', type: 'char', length: 24 })
  organizationId!: string;

  @Column({ type: 'text' })
  topic!: string;

  @Column({ type: 'jsonb' })
  data!: unknown;

  @Column({ name: 'previous_data', type: 'jsonb', nullable: true })
  previousData!: unknown;

  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey!: string | null;

  @Column({ name: 'payload_hash', type: 'text' })
  payloadHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
