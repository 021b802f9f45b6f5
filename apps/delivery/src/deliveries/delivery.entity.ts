import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { DeliveryKind, DeliveryStatus, WebhookFormat } from '@rocketlead/contracts';

/** What a delivery sends, frozen when it is created so every attempt sends the same bytes. */
export type DeliveryPayload =
  | { kind: 'webhook'; body: string }
  | {
      kind: 'email';
      to: string;
      subject: string;
      text: string | null;
      html: string | null;
      /** The one-click unsubscribe link (List-Unsubscribe header). */
      unsubscribeUrl?: string;
      /**
       * An email the contact asked for (a verification link): sent exactly as written, never tracked, and
       * to an address that unsubscribed too.
       */
      asWritten?: boolean;
    }
  | { kind: 'sms'; to: string; body: string };

@Entity({ name: 'deliveries' })
@Index('deliveries_org_key', ['organizationId', 'idempotencyKey'], { unique: true })
@Index('deliveries_org_entry', ['organizationId', 'entryId', 'createdAt', 'id'])
// An inbound text is matched to the newest message sent to its number.
@Index('deliveries_sms_destination', ['destination', 'createdAt'], { where: `kind = 'sms'` })
@Index('deliveries_provider_message', ['providerMessageId'], { where: 'provider_message_id IS NOT NULL' })
export class DeliveryEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  /** Same request, same key: a redelivered request or a restart never makes a second delivery. */
  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey: string;

  @Column({ type: 'text' })
  kind: DeliveryKind;

  @Column({ type: 'text' })
  status: DeliveryStatus;

  @Column({ name: 'event_type', type: 'text' })
  eventType: string;

  @Column({ name: 'entry_id', type: 'uuid', nullable: true })
  entryId: string | null;

  @Column({ name: 'endpoint_id', type: 'uuid', nullable: true })
  endpointId: string | null;

  /** The full URL (query string and its secrets included) of a raw-URL webhook; null for endpoints. */
  @Column({ type: 'text', nullable: true })
  url: string | null;

  @Column({ type: 'text', nullable: true })
  format: WebhookFormat | null;

  /** Shown in history: URL without query string, email address or phone number. */
  @Column({ type: 'text' })
  destination: string;

  @Column({ type: 'jsonb' })
  payload: DeliveryPayload;

  @Column({ name: 'run_id', type: 'uuid', nullable: true })
  runId: string | null;

  @Column({ name: 'automation_id', type: 'uuid', nullable: true })
  automationId: string | null;

  @Column({ name: 'step_index', type: 'integer', nullable: true })
  stepIndex: number | null;

  /** The cascade of the event that caused it, carried into its outcome events. */
  @Column({ name: 'correlation_id', type: 'text' })
  correlationId: string;

  @Column({ name: 'causation_id', type: 'text', nullable: true })
  causationId: string | null;

  @Column({ type: 'integer', default: 0 })
  depth: number;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  /** The SMS provider's message id (Twilio `sid`), to match its status callbacks. */
  @Column({ name: 'provider_message_id', type: 'text', nullable: true })
  providerMessageId: string | null;

  /** First open of a tracked email (email.opened is published once). */
  @Column({ name: 'opened_at', type: 'timestamptz', nullable: true })
  openedAt: Date | null;
}
