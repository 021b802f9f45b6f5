import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { EntryData } from '@rocketlead/contracts';

/**
 * A submission by an existing contact, staged until the contact follows the emailed link. Only the token's
 * SHA-256 is stored: the link is the credential, and a database reader must not be able to use it.
 */
@Entity({ name: 'form_submissions' })
@Index('form_submissions_token_key', ['tokenHash'], { unique: true })
@Index('form_submissions_form_idx', ['formId'])
@Index('form_submissions_expiry_idx', ['expiresAt'])
export class FormSubmissionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'form_id', type: 'uuid' })
  formId: string;

  // The existing contact the submission will update.
  @Column({ name: 'entry_id', type: 'uuid' })
  entryId: string;

  // The checked values, merged into the entry's data once verified.
  @Column({ type: 'jsonb' })
  data: EntryData;

  // The appointment asked for by a booking field (ISO start with offset), made once verified.
  @Column({ name: 'booking_start', type: 'text', nullable: true })
  bookingStart: string | null;

  @Column({ name: 'token_hash', type: 'text' })
  tokenHash: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
