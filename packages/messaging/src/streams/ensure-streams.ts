import { DiscardPolicy, RetentionPolicy, StorageType, type NatsConnection, type StreamConfig } from 'nats';
import { STREAMS, WireNames, type StreamKey } from '@rocketlead/contracts';
import { connectNats, natsSecurity, type NatsEnvConfig } from '../nats-connection';

const DAY_NS = 24 * 60 * 60 * 1e9;
const MINUTE_NS = 60 * 1e9;

function configFor(names: WireNames, key: StreamKey): Partial<StreamConfig> & { name: string } {
  const { name, subjects } = names.stream(key);
  return {
    name,
    subjects,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: (key === 'DEAD_LETTER' ? 30 : 7) * DAY_NS,
    // Nats-Msg-Id de-duplicates re-publishes from the outbox within this window.
    duplicate_window: 2 * MINUTE_NS,
    num_replicas: 1,
  };
}

/** Creates missing streams and brings existing ones up to the declared config; idempotent. */
export async function ensureStreams(
  nc: NatsConnection,
  names: WireNames,
  keys: StreamKey[] = Object.keys(STREAMS) as StreamKey[],
): Promise<string[]> {
  const jsm = await nc.jetstreamManager();
  const ensured: string[] = [];
  for (const key of keys) {
    const config = configFor(names, key);
    try {
      await jsm.streams.info(config.name);
      await jsm.streams.update(config.name, config);
    } catch (error) {
      if (!/stream not found/i.test((error as Error).message)) throw error;
      try {
        await jsm.streams.add(config);
      } catch (addError) {
        // Another process created it between our lookup and add.
        if (!/already in use|exists/i.test((addError as Error).message)) throw addError;
      }
    }
    ensured.push(config.name);
  }
  return ensured;
}

export async function deleteStreams(nc: NatsConnection, names: WireNames): Promise<void> {
  const jsm = await nc.jetstreamManager();
  for (const key of Object.keys(STREAMS) as StreamKey[]) {
    await jsm.streams.delete(names.stream(key).name).catch(() => false);
  }
}

/**
 * The stream step of a service's migration: connects as the service (a rejected credential fails at once
 * instead of waiting for a fixed secret), ensures `keys` in its namespace, and drains.
 */
export async function migrateStreams(
  config: NatsEnvConfig & { RL_NAMESPACE: string },
  service: string,
  keys: StreamKey[],
): Promise<string[]> {
  const nc = await connectNats({
    url: config.NATS_URL,
    name: `${service}-migrate`,
    ...natsSecurity(config),
    failOnAuthError: true,
  });
  try {
    return await ensureStreams(nc, new WireNames(config.RL_NAMESPACE), [...new Set(keys)]);
  } finally {
    await nc.drain();
  }
}
