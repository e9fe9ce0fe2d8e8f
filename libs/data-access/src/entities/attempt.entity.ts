import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type AttemptTrigger = 'scheduled' | 'manual' | 'test';

/** One HTTP try; test sends have no delivery. Request headers are stored redacted. */
@Entity({ name: 'attempts' })
export class AttemptEntity {
  @PrimaryColumn({ type: 'char', length: 24 })
  id!: string;

  @Column({ name: 'organization_id', type: 'char', length: 24 })
  organizationId!: string;

  @Column({ name: 'endpoint_id', type: 'char', length: 24 })
  endpointId!: string;

  @Column({ name: 'delivery_id', type: 'char', length: 24, nullable: true })
  deliveryId!: string | null;

  @Column({ name: 'event_id', type: 'char', length: 24, nullable: true })
  eventId!: string | null;

  @Column({ type: 'text' })
  trigger!: AttemptTrigger;

  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode!: number | null;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs!: number;

  @Column({ name: 'error_class', type: 'text', nullable: true })
  errorClass!: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  @Column({ name: 'response_excerpt', type: 'text', nullable: true })
  responseExcerpt!: string | null;

  @Column({ name: 'request_headers', type: 'jsonb' })
  requestHeaders!: Record<string, string>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
