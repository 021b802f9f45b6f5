import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect, type NatsConnection } from 'nats';
import { STREAMS, WireNames, type StreamKey } from '@rocketlead/contracts';
import {
  Api,
  eventually,
  createPoolWithWebhook,
  createTestDatabase,
  EventCollector,
  startInfrastructure,
  startPlatform,
  uniqueName,
  type ApiResponse,
  type CollectedEvent,
  type Infrastructure,
  type PoolSetup,
  type RunningPlatform,
} from '@rocketlead/testing';

// The HTTP client and pool setup live in @rocketlead/testing; the e2e tests import them from here too.
export { Api, type PoolSetup };

/** One running platform (every service as a process) per test file, on a fresh database and namespace. */
export class E2E {
  private constructor(
    readonly infra: Infrastructure,
    readonly db: { url: string; drop(): Promise<void> },
    readonly platform: RunningPlatform,
    readonly nc: NatsConnection,
    readonly names: WireNames,
    readonly events: EventCollector,
    readonly calendarEvents: EventCollector,
    readonly automationEvents: EventCollector,
    readonly deliveryEvents: EventCollector,
  ) {}

  /** `env` adds configuration to every service (e.g. SMTP_URL of a test SMTP server). */
  static async start(env: Record<string, string> = {}): Promise<E2E> {
    const infra = await startInfrastructure();
    const db = await createTestDatabase(infra.postgresUrl, uniqueName('e2e'));
    const namespace = uniqueName('e');
    const platform = await startPlatform({
      databaseUrl: db.url,
      natsUrl: infra.natsUrl,
      namespace,
      // Webhook receivers of the tests listen on 127.0.0.1, which the SSRF guard refuses by default.
      env: { DELIVERY_ALLOWED_CIDRS: '127.0.0.1/32', DELIVERY_RETRY_SCHEDULE: '1s,1s,1s,1s,1s', ...env },
    });
    const nc = await connect({ servers: infra.natsUrl });
    const names = new WireNames(namespace);
    const events = await EventCollector.start(nc, names.stream('LEADS').name);
    const calendarEvents = await EventCollector.start(nc, names.stream('CALENDAR').name);
    const automationEvents = await EventCollector.start(nc, names.stream('AUTOMATION').name);
    const deliveryEvents = await EventCollector.start(nc, names.stream('DELIVERY').name);
    return new E2E(infra, db, platform, nc, names, events, calendarEvents, automationEvents, deliveryEvents);
  }

  async stop(): Promise<void> {
    await this.events.stop();
    await this.calendarEvents.stop();
    await this.automationEvents.stop();
    await this.deliveryEvents.stop();
    await this.platform.stop();
    const jsm = await this.nc.jetstreamManager();
    // Every stream of the namespace, so a stream added to the contracts (DEALS) is not left behind.
    for (const key of Object.keys(STREAMS) as StreamKey[])
      await jsm.streams.delete(this.names.stream(key).name).catch(() => false);
    await this.nc.close();
    await this.db.drop();
    await this.infra.stop();
  }

  anonymous(): Api {
    return new Api(this.platform.baseUrl);
  }

  /** A new organization and an API client with its admin token. */
  async organization(name = 'Org'): Promise<{ organizationId: string; admin: Api }> {
    const { organizationId, token } = await this.platform.bootstrap(name);
    return { organizationId, admin: new Api(this.platform.baseUrl, token) };
  }

  /** A client with a fresh token of the given scopes (and its id, as events carry it). */
  async token(admin: Api, scopes: string[]): Promise<{ api: Api; tokenId: string }> {
    const res = await admin.post<{ id: string; token: string }>('/connect/api_tokens', {
      name: scopes.join('+'),
      scopes,
    });
    if (res.status !== 201) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
    return { api: new Api(this.platform.baseUrl, res.body.token), tokenId: res.body.id };
  }

  /** A lead pool with a default state and an ingress webhook. */
  pool(admin: Api, tableSchema?: Record<string, string>): Promise<PoolSetup> {
    return createPoolWithWebhook(admin, tableSchema);
  }

  ingest(
    setup: Pick<PoolSetup, 'webhookId' | 'webhookToken'>,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
    return this.anonymous().post(`/public/ingress_webhooks/${setup.webhookId}`, body, {
      'x-rocketlead-ingress-token': setup.webhookToken,
      ...headers,
    });
  }

  /**
   * Runs one SQL statement on this platform's database with psql (the e2e package has no Postgres client),
   * for what no API offers, e.g. expiring a verification link; returns the rows, one a line, `|` between columns.
   */
  async sql(statement: string): Promise<string> {
    const { stdout } = await promisify(execFile)('psql', [
      this.db.url,
      '--no-psqlrc',
      '--quiet',
      '--set=ON_ERROR_STOP=1',
      '--tuples-only',
      '--no-align',
      '--command',
      statement,
    ]);
    return stdout.trim();
  }

  eventsFor(entryId: string): CollectedEvent[] {
    return this.events.events.filter((e) => e.body.subject === entryId);
  }
}

export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The body of a 201, or an error saying what could not be created and what the platform answered. */
export async function created<T>(res: Promise<ApiResponse<T>>, what: string): Promise<T> {
  const { status, body } = await res;
  if (status !== 201) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
  return body;
}

export interface RunSummary {
  id: string;
  status: string;
  triggerName: string | null;
  context: { entryId: string | null };
}

/** The runs of an automation once `count` of them have finished (newest first). */
export function finishedRuns(admin: Api, automationId: string, count: number): Promise<RunSummary[]> {
  return eventually(
    async () => {
      const res = await admin.get<{ items: RunSummary[] }>(
        `/api/v1/automations/${automationId}/runs?limit=100`,
      );
      const items = (res.body.items ?? []).filter((r) => r.status !== 'running');
      return items.length >= count ? items : undefined;
    },
    { timeoutMs: 60_000, message: `${count} finished run(s) of ${automationId}` },
  );
}
