import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One accepted submission attempt to a public form from one client IP, kept while it counts towards the
 * per-minute limit (in Postgres, so every ingress replica counts the same hits).
 */
@Entity({ name: 'form_rate_limit_hits' })
@Index('form_rate_limit_hits_key_idx', ['formId', 'clientIp', 'hitAt'])
@Index('form_rate_limit_hits_hit_at_idx', ['hitAt'])
export class FormRateLimitHitEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'form_id', type: 'uuid' })
  formId: string;

  @Column({ name: 'client_ip', type: 'text' })
  clientIp: string;

  @Column({ name: 'hit_at', type: 'timestamptz' })
  hitAt: Date;
}
