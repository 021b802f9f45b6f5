import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An address that unsubscribed: no more email to it from this organization. */
@Entity({ name: 'email_suppressions' })
export class EmailSuppressionEntity {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  /** Lower-cased. */
  @PrimaryColumn({ type: 'text' })
  email: string;

  @Column({ name: 'delivery_id', type: 'uuid', nullable: true })
  deliveryId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
