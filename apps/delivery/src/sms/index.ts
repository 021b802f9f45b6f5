export { InvalidPhoneNumberError, toE164 } from './phone';
export { NOT_CONFIGURED_ERROR as SMS_NOT_CONFIGURED_ERROR, SmsClient } from './sms-client';
export type { SmsClientOptions, SmsResult, SmsSettings } from './sms-client';
export { twilioSignature, verifyTwilioSignature } from './twilio-signature';
