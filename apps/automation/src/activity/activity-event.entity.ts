import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ActivityKind } from '@rocketlead/contracts';

/**
 * A domain event about a lead, kept for its activity timeline (the event projection). Runs, steps and tasks
 * are read from their own tables; only events, which automation does not otherwise keep, are stored here.
 */
@Entity({ name: 'activity_events' })
// A lead's timeline, newest first.
@Index('activity_events_entry_idx', ['organizationId', 'entryId', 'at', 'id'])
export class ActivityEventEntity {
  /** The event id: a redelivered event is stored once. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'entry_id', type: 'uuid' })
  entryId: string;

  /** The event's time. */
  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'text' })
  type: string;

  /** `delivery` for events of the DELIVERY stream, `event` for the others. */
  @Column({ type: 'text' })
  kind: ActivityKind;

  @Column({ type: 'text' })
  channel: string;

  @Column({ name: 'api_token_id', type: 'uuid', nullable: true })
  apiTokenId: string | null;

  @Column({ name: 'member_id', type: 'text', nullable: true })
  memberId: string | null;

  @Column({ type: 'text' })
  summary: string;

  /** The event's data. */
  @Column({ type: 'jsonb' })
  data: unknown;
}
