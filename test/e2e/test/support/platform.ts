import path from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { WireNames } from '@rocketlead/contracts';
import {
  createTestDatabase,
  EventCollector,
  startInfrastructure,
  startPlatform,
  uniqueName,
  type CollectedEvent,
  type Infrastructure,
  type RunningPlatform,
} from '@rocketlead/testing';

export interface Response<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** A small HTTP client for one caller (a Connect token, or none). */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  async request<T = Record<string, unknown>>(
    method: string,
    pathname: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response<T>> {
    const res = await fetch(`${this.baseUrl}${pathname}`, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
  }

  get<T = Record<string, unknown>>(pathname: string): Promise<Response<T>> {
    return this.request<T>('GET', pathname);
  }
  post<T = Record<string, unknown>>(
    pathname: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response<T>> {
    return this.request<T>('POST', pathname, body, headers);
  }
  patch<T = Record<string, unknown>>(pathname: string, body: unknown): Promise<Response<T>> {
    return this.request<T>('PATCH', pathname, body);
  }
  delete(pathname: string): Promise<Response> {
    return this.request('DELETE', pathname);
  }
}

export interface PoolSetup {
  poolId: string;
  stateId: string;
  webhookId: string;
  webhookToken: string;
}

/** One running platform (leads + ingress as processes) per test file, on a fresh database and namespace. */
export class E2E {
  private constructor(
    readonly infra: Infrastructure,
    readonly db: { url: string; drop(): Promise<void> },
    readonly platform: RunningPlatform,
    readonly nc: NatsConnection,
    readonly names: WireNames,
    readonly events: EventCollector,
    readonly calendarEvents: EventCollector,
  ) {}

  static async start(): Promise<E2E> {
    const infra = await startInfrastructure();
    const db = await createTestDatabase(infra.postgresUrl, uniqueName('e2e'));
    const namespace = uniqueName('e');
    const platform = await startPlatform({
      root: path.resolve(__dirname, '../../../..'),
      databaseUrl: db.url,
      natsUrl: infra.natsUrl,
      namespace,
    });
    const nc = await connect({ servers: infra.natsUrl });
    const names = new WireNames(namespace);
    const events = await EventCollector.start(nc, names.stream('LEADS').name);
    const calendarEvents = await EventCollector.start(nc, names.stream('CALENDAR').name);
    return new E2E(infra, db, platform, nc, names, events, calendarEvents);
  }

  async stop(): Promise<void> {
    await this.events.stop();
    await this.calendarEvents.stop();
    await this.platform.stop();
    const jsm = await this.nc.jetstreamManager();
    for (const key of ['LEADS', 'CALENDAR', 'DEAD_LETTER'] as const)
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
  async pool(admin: Api, tableSchema?: Record<string, string>): Promise<PoolSetup> {
    const pool = await admin.post<{ id: string }>('/connect/lead_pools', { name: 'Pool' });
    const state = await admin.post<{ id: string }>(`/connect/lead_pools/${pool.body.id}/lead_states`, {
      name: 'New',
      isDefault: true,
    });
    if (tableSchema) await admin.patch(`/connect/lead_pools/${pool.body.id}`, { tableSchema });
    const hook = await admin.post<{ id: string; token: string }>('/connect/ingress_webhooks', {
      tableId: pool.body.id,
    });
    return {
      poolId: pool.body.id,
      stateId: state.body.id,
      webhookId: hook.body.id,
      webhookToken: hook.body.token,
    };
  }

  ingest(
    setup: Pick<PoolSetup, 'webhookId' | 'webhookToken'>,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.anonymous().post(`/public/ingress_webhooks/${setup.webhookId}`, body, {
      'x-rocketlead-ingress-token': setup.webhookToken,
      ...headers,
    });
  }

  eventsFor(entryId: string): CollectedEvent[] {
    return this.events.events.filter((e) => e.body.subject === entryId);
  }
}

export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
