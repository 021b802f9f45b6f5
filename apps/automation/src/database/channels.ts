// Postgres NOTIFY channels of this service. The payload is the organization id whose copies must go; writers
// send it in the transaction of the change (notifyChanged of @rocketlead/persistence), readers keep a
// NotifiedCache on the channel.

/** An automation of the organization was created, changed or archived. */
export const AUTOMATIONS_CHANNEL = 'automation_automations';

/** The organization's automation settings (sandbox) changed. */
export const SETTINGS_CHANNEL = 'automation_settings';
