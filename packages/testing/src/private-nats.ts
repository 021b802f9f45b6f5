import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'nats';
import { NATS_SERVER_BIN, natsServerBinAvailable } from './configured-nats';
import { eventually } from './eventually';
import { freePort } from './platform-process';

/** Tests that stop and start NATS need a local nats-server binary (NATS_SERVER_BIN); without one they skip. */
export const natsServerAvailable = natsServerBinAvailable();

/**
 * A nats-server of one test alone (JetStream in a temp folder, loopback, a free port) that the test may
 * stop and start without disturbing others. dispose() (or removeAll() in an afterAll, which also catches
 * servers whose test failed before it could dispose of them) stops it and deletes its folder.
 */
export class PrivateNats {
  private static readonly live = new Set<PrivateNats>();
  private child: ChildProcess | undefined;
  readonly storeDir = mkdtempSync(path.join(tmpdir(), 'rl-nats-'));

  private constructor(readonly port: number) {
    PrivateNats.live.add(this);
  }

  static async start(): Promise<PrivateNats> {
    const nats = new PrivateNats(await freePort());
    await nats.up();
    return nats;
  }

  /** Stops every server this process started and not yet disposed of, and deletes their folders. */
  static async removeAll(): Promise<void> {
    for (const nats of [...PrivateNats.live]) await nats.dispose();
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

  async dispose(): Promise<void> {
    await this.down();
    rmSync(this.storeDir, { recursive: true, force: true });
    PrivateNats.live.delete(this);
  }
}
