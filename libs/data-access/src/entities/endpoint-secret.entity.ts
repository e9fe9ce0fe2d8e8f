import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** A signing secret of an endpoint, encrypted; `expiresAt` null marks the current one. */
@Entity({ name: 'endpoint_secrets' })
@Index('endpoint_secrets_endpoint_id_idx', ['organizationId', 'endpointId'])
export class EndpointSecretEntity {
  @PrimaryColumn({ type: 'char', length: 24 })
  id!: string;

  @Column({ name: 'organization_id', type: 'char', length: 24 })
  organizationId!: string;

  @Column({ name: 'endpoint_id', type: 'char', length: 24 })
  endpointId!: string;

  @Column({ name: 'secret_enc', type: 'text' })
  secretEnc!: string;

  @Column({ name: 'key_version', type: 'integer' })
  keyVersion!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;
}
