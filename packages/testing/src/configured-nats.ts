import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually } from './eventually';
import { freePort } from './platform-process';
import { REPO_ROOT } from './repo-root';

/** The nats-server binary the NATS tests start (NATS_SERVER_BIN overrides). */
export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';
export const natsServerBinAvailable = (): boolean => existsSync(NATS_SERVER_BIN);

export interface ConfiguredNatsOptions {
  /** A configuration file to run with (e.g. deploy/nats-server.conf)... */
  configFile?: string;
  /** ...or the text of one, written into the server's temp dir. */
  config?: string;
  /** Environment of nats-server: the `$VARIABLES` of the configuration (passwords, tokens). */
  env?: Record<string, string>;
}

/**
 * deploy/nats-server.conf with a password per user: `{ leads: 'pw' }` sets its `$NATS_LEADS_PASSWORD`.
 */
export function deployNatsOptions(passwords: Record<string, string>): ConfiguredNatsOptions {
  const configFile = path.join(REPO_ROOT, 'deploy', 'nats-server.conf');
  // Every password variable the file references gets a value, so a service user added there never stops
  // the server from starting in tests that do not sign in as it.
  const referenced = [...readFileSync(configFile, 'utf8').matchAll(/\$(NATS_[A-Z0-9_]+_PASSWORD)/g)].map(
    (m) => m[1]!,
  );
  const given = Object.fromEntries(
    Object.entries(passwords).map(([user, password]) => [`NATS_${user.toUpperCase()}_PASSWORD`, password]),
  );
  return {
    configFile,
    env: {
      ...Object.fromEntries(referenced.map((name) => [name, `unused-${name.toLowerCase()}`])),
      ...given,
    },
  };
}

/**
 * A private nats-server with a configuration (users, tokens, TLS), JetStream on disk in a temp dir, on a free
 * loopback port. `dir` is that temp dir (also for certificates a test creates); dispose() removes it.
 */
export class ConfiguredNats {
  readonly output: string[] = [];
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  /** A temp dir for files the configuration needs before the server starts (certificates). */
  static tempDir(): string {
    return mkdtempSync(path.join(tmpdir(), 'rl-nats-auth-'));
  }

  static async start(
    options: ConfiguredNatsOptions,
    dir = ConfiguredNats.tempDir(),
  ): Promise<ConfiguredNats> {
    const nats = new ConfiguredNats(await freePort(), dir);
    try {
      await nats.up(options);
    } catch (error) {
      await nats.dispose();
      throw error;
    }
    return nats;
  }

  /** `nats://[user:password@]127.0.0.1:<port>`, the password URL-encoded. */
  url(user?: string, password?: string): string {
    const auth =
      user === undefined ? '' : `${encodeURIComponent(user)}:${encodeURIComponent(password ?? '')}@`;
    return `nats://${auth}127.0.0.1:${this.port}`;
  }

  private async up(options: ConfiguredNatsOptions): Promise<void> {
    let configFile = options.configFile;
    if (options.config !== undefined) {
      configFile = path.join(this.dir, 'nats-server.conf');
      writeFileSync(configFile, options.config);
    }
    const store = path.join(this.dir, 'store');
    mkdirSync(store, { recursive: true });
    const args = [
      ...(configFile ? ['-c', configFile] : []),
      ...['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', store],
    ];
    const child = spawn(NATS_SERVER_BIN, args, {
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const collect = (d: Buffer) => this.output.push(...d.toString().split('\n').filter(Boolean));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    // Credentials are required, so "up" means the port accepts connections.
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`nats-server exited: ${this.output.join('\n')}`);
        return new Promise<boolean>((resolve) => {
          const socket = tcpConnect(this.port, '127.0.0.1');
          socket.once('connect', () => {
            socket.destroy();
            resolve(true);
          });
          socket.once('error', () => resolve(false));
        });
      },
      { timeoutMs: 15_000, message: 'configured nats-server up' },
    );
  }

  /** Stops the server and starts it again on the same port and store, e.g. with rotated passwords. */
  async restart(options: ConfiguredNatsOptions): Promise<void> {
    await this.stop();
    await this.up(options);
  }

  private async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
