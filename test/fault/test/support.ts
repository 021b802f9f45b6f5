import { Client } from 'pg';

// The private nats-server lives in @rocketlead/testing (the messaging tests use it too).
export { natsServerAvailable, PrivateNats } from '@rocketlead/testing';

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
