import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** An API key, stored as a display prefix plus a SHA-256 hash; the key itself is shown once. */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'char', length: 24 })
  id!: string;

  /** Null for an operator key, which may act for any organization. */
  @Index('api_keys_organization_id_idx')
  @Column({ name: 'organization_id', type: 'char', length: 24, nullable: true })
  organizationId!: string | null;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  prefix!: string;

  @Column({ name: 'key_hash', type: 'text', unique: true })
  keyHash!: string;

  @Column({ type: 'text', array: true })
  permissions!: string[];

  /** The key `HOOKYARD_BOOTSTRAP_API_KEY` made; a new value of that variable replaces it. */
  @Column({ type: 'boolean', default: false })
  bootstrap!: boolean;

  /** The key that minted this one through the API; null for keys made by the CLI or configuration. */
  @Column({ name: 'created_by_key_id', type: 'char', length: 24, nullable: true })
  createdByKeyId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
