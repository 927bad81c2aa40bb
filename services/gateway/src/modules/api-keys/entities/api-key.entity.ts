import type { Scope } from '@careflow/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'api_keys' })
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** The first characters of the key, kept to tell keys apart in lists and logs. */
  @Column({ type: 'text' })
  prefix!: string;

  /** SHA-256 of the whole key; the key itself is never stored. */
  @Column({ type: 'bytea', select: false })
  keyHash!: Buffer;

  @Column({ type: 'text', array: true })
  scopes!: Scope[];

  /** Created from ADMIN_API_KEY (or generated at first start), not through the API. */
  @Column({ type: 'boolean', default: false })
  bootstrap!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
