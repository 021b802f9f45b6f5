import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** What a public rate limit counts attempts at: a form's submissions, an event's RSVPs and cancellations. */
export const RATE_LIMIT_SCOPES = ['form', 'event'] as const;
export type RateLimitScope = (typeof RATE_LIMIT_SCOPES)[number];

/**
 * One accepted attempt at a public endpoint (a form submission, an RSVP) from one client IP, kept while it
 * counts towards the per-minute limit (in Postgres, so every ingress replica counts the same hits).
 */
@Entity({ name: 'public_rate_limit_hits' })
@Index('public_rate_limit_hits_key_idx', ['scope', 'subjectId', 'clientIp', 'hitAt'])
@Index('public_rate_limit_hits_hit_at_idx', ['hitAt'])
export class PublicRateLimitHitEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  scope: RateLimitScope;

  /** The form or event id. */
  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  @Column({ name: 'client_ip', type: 'text' })
  clientIp: string;

  @Column({ name: 'hit_at', type: 'timestamptz' })
  hitAt: Date;
}
