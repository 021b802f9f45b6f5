import { Client } from 'pg';

export interface ListenOptions {
  /** Postgres connection string; the listener has a connection of its own. */
  url: string;
  channel: string;
  /** Shown in pg_stat_activity. */
  applicationName: string;
  onNotification(payload: string | undefined): void;
  /** The connection broke and is closed: notifications may be missed until the owner listens again. */
  onLost(error: Error, client: Client): void;
}

/**
 * Opens a dedicated connection that LISTENs on one channel. The one place the outbox relay, the timer
 * runner and the notified caches get their wake-ups from; each owner decides how to recover when it is lost.
 */
export async function listenOn(options: ListenOptions): Promise<Client> {
  const client = new Client({ connectionString: options.url, application_name: options.applicationName });
  client.on('notification', (message) => options.onNotification(message.payload || undefined));
  client.on('error', (error) => {
    client.end().catch(() => undefined);
    options.onLost(error, client);
  });
  try {
    await client.connect();
    await client.query(`LISTEN "${options.channel}"`);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}
