import {
  createInbox,
  ErrorCode,
  Events,
  NatsError,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from 'nats';

export interface MuxRequestOptions {
  timeoutMs: number;
  headers?: MsgHdrs;
}

interface Waiting {
  subject: string;
  resolve(msg: Msg): void;
  reject(error: unknown): void;
  deadline: number;
}

// Deadlines are checked together this often, so a timeout fires up to this much late.
const SWEEP_MS = 25;
const muxes = new WeakMap<NatsConnection, RequestMux>();

/**
 * Request/reply over one wildcard reply subscription per connection, as nats.js does it, minus the `Error`
 * nats.js builds (stack trace included) to settle every request, answered or not: 3-5 % of leads' and
 * ingress's CPU under load, since every command and every JetStream publish is a request. Failures are
 * nats.js's own errors and codes: no responders (503), a permissions violation, timeout, connection closed
 * or draining.
 */
export class RequestMux {
  private readonly prefix = `${createInbox()}.`;
  private readonly waiting = new Map<string, Waiting>();
  private next = 0;
  private subscription: Subscription | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  /** The connection's mux (one reply subscription per connection, made on the first request). */
  static of(nc: NatsConnection): RequestMux {
    let mux = muxes.get(nc);
    if (!mux) muxes.set(nc, (mux = new RequestMux(nc)));
    return mux;
  }

  private constructor(private readonly nc: NatsConnection) {
    void nc.closed().then(() => this.failAll(NatsError.errorForCode(ErrorCode.ConnectionClosed)));
    void this.watchPermissions();
  }

  /**
   * The server refuses a publish it does not allow with an asynchronous error naming the subject: the
   * requests sent there fail at once (as nats.js does it) instead of waiting for their deadline.
   */
  private async watchPermissions(): Promise<void> {
    for await (const status of this.nc.status()) {
      const context = (status as { permissionContext?: { operation?: string; subject?: string } })
        .permissionContext;
      if (status.type !== Events.Error || !context?.subject) continue;
      const error = new NatsError(
        `Permissions Violation for ${context.operation ?? 'publish'} to "${context.subject}"`,
        ErrorCode.PermissionsViolation,
      );
      if (context.operation === 'publish') {
        for (const [token, waiting] of this.waiting) {
          if (waiting.subject !== context.subject) continue;
          this.waiting.delete(token);
          waiting.reject(error);
        }
      } else if (context.subject === `${this.prefix}*`) this.failAll(error);
    }
  }

  request(subject: string, payload: string | Uint8Array, options: MuxRequestOptions): Promise<Msg> {
    if (this.nc.isClosed()) return Promise.reject(NatsError.errorForCode(ErrorCode.ConnectionClosed));
    if (this.nc.isDraining()) return Promise.reject(NatsError.errorForCode(ErrorCode.ConnectionDraining));
    this.subscription ??= this.nc.subscribe(`${this.prefix}*`, {
      callback: (error, msg) => (error ? this.failAll(error) : this.settle(msg)),
    });
    const token = (this.next++).toString(36);
    return new Promise<Msg>((resolve, reject) => {
      this.waiting.set(token, { subject, resolve, reject, deadline: Date.now() + options.timeoutMs });
      this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
      try {
        this.nc.publish(subject, payload, { reply: this.prefix + token, headers: options.headers });
      } catch (error) {
        this.waiting.delete(token);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  private settle(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length);
    const waiting = this.waiting.get(token);
    if (!waiting) return; // answered after its deadline
    this.waiting.delete(token);
    // The server's "no responders" status: an empty message with a 503 header.
    if (msg.data.length === 0 && msg.headers?.code === 503)
      waiting.reject(NatsError.errorForCode(ErrorCode.NoResponders));
    else waiting.resolve(msg);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, waiting] of this.waiting) {
      if (waiting.deadline > now) continue;
      this.waiting.delete(token);
      waiting.reject(NatsError.errorForCode(ErrorCode.Timeout));
    }
    if (this.waiting.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private failAll(error: unknown): void {
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
    this.subscription = undefined;
  }
}
