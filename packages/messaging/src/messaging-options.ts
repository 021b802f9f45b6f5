import type { NatsSecurityOptions } from './nats-connection';

export interface MessagingOptions {
  serviceName: string;
  /** NATS_URL: comma-separated servers; a user and password may be part of it. */
  natsUrl: string;
  /** Token, creds file and TLS files from the environment (see natsSecurity()). */
  natsSecurity?: NatsSecurityOptions;
  namespace: string;
  /** Queue group for command handlers; defaults to the service name. */
  queueGroup?: string;
  /** RPC_TIMEOUT_MS: how long every command request waits for its reply (then UNAVAILABLE); default 10 s. */
  rpcTimeoutMs?: number;
  /** Commands this process executes at once (the others wait their turn); default 20, one per DB_POOL_SIZE. */
  commandConcurrency?: number;
}
