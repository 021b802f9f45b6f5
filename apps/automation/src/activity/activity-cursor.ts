/**
 * The position after which a timeline page continues: the last item's time, to the microsecond as Postgres
 * keeps it (a millisecond ISO string would skip or repeat items of the same millisecond), and its id. Ids
 * are a UUID (events, runs, tasks) or `<runId>:<index>` (steps), so the persistence cursor, which takes
 * UUIDs only, is not used.
 */
export interface ActivityPosition {
  at: string;
  id: string;
}

const AT = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(:\d{1,6})?$/;

const sameInstant = (at: string): boolean => {
  const time = Date.parse(at);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 19) === at.slice(0, 19);
};

export function encodeActivityCursor(position: ActivityPosition): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url');
}

/** The position, or null when the cursor was not made by `encodeActivityCursor`. */
export function decodeActivityCursor(cursor: string): ActivityPosition | null {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) return null;
  const [at, id] = decoded as unknown[];
  // A real instant: Date would roll 02-30 or 24:00 over where Postgres refuses them.
  if (typeof at !== 'string' || !AT.test(at) || !sameInstant(at)) return null;
  if (typeof id !== 'string' || !ID.test(id)) return null;
  return { at, id };
}
