import { s } from '../validation';

/** A form submission was applied to a contact (Gordon "Form Submitted"): created, or updated once verified. */
export const FORM_SUBMITTED = 'form.submitted';

export interface FormSubmittedData {
  formId: string;
  /** The form's name when submitted: the trigger's name. */
  formName: string;
  submissionId: string;
  entryId: string;
  tableId: string;
  isNewContact: boolean;
}

export const formSubmittedSchema = s.object({
  formId: s.uuid(),
  formName: s.string({ min: 1, max: 200 }),
  submissionId: s.uuid(),
  entryId: s.uuid(),
  tableId: s.uuid(),
  isNewContact: s.boolean(),
});

/**
 * A service asks delivery to send something outside any automation run: a form's verification email (not
 * tracked, not subject to unsubscribes: the contact asked for it) or a form-format webhook with a lead.
 */
export const NOTIFICATION_REQUESTED = 'notification.requested';

export interface NotificationRequestedData {
  /** Identical when the request is published again: delivery sends it once. */
  idempotencyKey: string;
  entryId: string | null;
  kind: 'email' | 'webhook';
  email: { to: string; subject: string; text: string; html: string | null } | null;
  /** A form-format webhook (Lead Actions style) of the lead `entryId`, with `eventtype` = `formCode`. */
  webhook: { url: string; formCode: string } | null;
}

export const notificationRequestedSchema = s.object({
  idempotencyKey: s.string({ min: 1, max: 200 }),
  entryId: s.nullable(s.uuid()),
  kind: s.literal('email', 'webhook'),
  email: s.nullable(
    s.object({
      to: s.string({ min: 1, max: 320 }),
      subject: s.string({ max: 1000 }),
      text: s.string(),
      html: s.nullable(s.string()),
    }),
  ),
  webhook: s.nullable(
    s.object({ url: s.string({ min: 1, max: 2000 }), formCode: s.string({ min: 1, max: 200 }) }),
  ),
});
