export { instrumentEmail, MAX_TOKEN_LENGTH, TrackingTokens } from './email-tracking';
export type { InstrumentedEmail, TrackingClaims, TrackingKind } from './email-tracking';
export { EMAIL_NOT_CONFIGURED_ERROR, SmtpMailer } from './smtp-mailer';
export type { EmailResult, OutgoingEmail, SmtpMailerOptions } from './smtp-mailer';
