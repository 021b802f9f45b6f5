import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { connect } from 'nats';
import { eventually, freePort } from '@rocketlead/testing';

export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';
export const natsServerAvailable = existsSync(NATS_SERVER_BIN);

/** A private nats-server (JetStream on disk) that this test may stop and start without disturbing others. */
export class PrivateNats {
  private static readonly created = new Set<PrivateNats>();
  private child: ChildProcess | undefined;
  readonly storeDir = mkdtempSync(path.join(tmpdir(), 'rl-fault-nats-'));

  private constructor(readonly port: number) {
    PrivateNats.created.add(this);
  }

  /** Stops every server this process started and deletes their store folders. */
  static async removeAll(): Promise<void> {
    for (const nats of PrivateNats.created) {
      await nats.down();
      rmSync(nats.storeDir, { recursive: true, force: true });
      PrivateNats.created.delete(nats);
    }
  }

  static async start(): Promise<PrivateNats> {
    const nats = new PrivateNats(await freePort());
    await nats.up();
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    this.child = spawn(
      NATS_SERVER_BIN,
      ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir],
      { stdio: 'ignore' },
    );
    await eventually(
      async () => {
        const nc = await connect({ servers: this.url, timeout: 500 });
        await nc.close();
        return true;
      },
      { timeoutMs: 15_000, message: 'private nats-server up' },
    );
  }

  /** Graceful stop (SIGTERM): the server flushes its store, as an orderly restart would. */
  async down(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

/** Posts to an ingress webhook from `concurrency` clients until stopped; records every 201's entry id. */
export class Poster {
  readonly created: string[] = [];
  readonly failures = new Map<string, number>();
  private running = true;
  private loops: Promise<void>[] = [];
  private n = 0;

  constructor(
    private readonly url: string,
    private readonly token: string,
    concurrency: number,
  ) {
    this.loops = Array.from({ length: concurrency }, () => this.loop());
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const n = this.n++;
      try {
        const res = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-rocketlead-ingress-token': this.token },
          body: JSON.stringify({ data: { email: `lead${n}@example.com`, n } }),
          signal: AbortSignal.timeout(10_000),
        });
        const body = (await res.json()) as { id?: string };
        if (res.status === 201 && body.id) this.created.push(body.id);
        else this.count(String(res.status));
      } catch (error) {
        this.count((error as Error).name);
        // Ingress itself is unreachable or timing out: back off a little instead of spinning.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  private count(reason: string): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

export async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
