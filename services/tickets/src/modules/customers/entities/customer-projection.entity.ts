import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The tickets service's copy of a customer, kept current from `customer.upserted` events. */
@Entity({ name: 'customers' })
export class CustomerProjection {
  @PrimaryColumn({ type: 'text' })
  externalId!: string;

  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ type: 'text', nullable: true })
  phone!: string | null;

  @Column({ type: 'text', nullable: true })
  locale!: string | null;

  @Column({ type: 'text', array: true })
  tags!: string[];

  @Column({ type: 'boolean', nullable: true })
  vip!: boolean | null;

  /** Primary segment, from segment-change events (segmentation issue). */
  @Column({ type: 'text', nullable: true })
  segment!: string | null;

  /** The source's version; an older event arriving late never overwrites a newer one. */
  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;
}
