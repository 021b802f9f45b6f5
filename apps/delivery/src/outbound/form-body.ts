/** The lead a form webhook describes (the Lead Actions Guide's fields). */
export interface FormLead {
  id: string;
  tableId: string;
  leadStateId: string | null;
  createdAt: string;
  data: Record<string, unknown>;
}

/** `YYYY-MM-DD HH:mm:ss` in UTC, the guide's `eventdatetime`. */
export function formEventDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value) ?? '';
}

/** Arrays repeat their key; objects (and arrays inside arrays) are sent as JSON; null is empty. */
function appendField(form: URLSearchParams, key: string, value: unknown): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) form.append(key, scalar(item));
    return;
  }
  form.append(key, scalar(value));
}

/**
 * The `application/x-www-form-urlencoded` body of a form webhook: eventtype and eventdatetime first (as in
 * the guide's example), then the lead's id, tableId, leadStateId and createdAt, then its data, then the
 * event's extra fields. A key already sent is not repeated, so a data field cannot shadow the lead's id.
 */
export function formWebhookBody(
  lead: FormLead | null,
  extra: Record<string, unknown> | null,
  eventType: string,
  eventTime: Date,
): string {
  const form = new URLSearchParams();
  const sent = new Set<string>();
  const add = (key: string, value: unknown): void => {
    if (sent.has(key)) return;
    sent.add(key);
    appendField(form, key, value);
  };
  add('eventtype', eventType);
  add('eventdatetime', formEventDateTime(eventTime));
  if (lead !== null) {
    add('id', lead.id);
    add('tableId', lead.tableId);
    add('leadStateId', lead.leadStateId);
    add('createdAt', lead.createdAt);
    for (const [key, value] of Object.entries(lead.data)) add(key, value);
  }
  for (const [key, value] of Object.entries(extra ?? {})) add(key, value);
  return form.toString();
}
