import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { NatsConnection, Subscription } from 'nats';
import {
  COMMANDS,
  DomainError,
  TABLE_ENTRY_ADDED,
  createEvent,
  uuidv7,
  type Actor,
  DELIVERY_REQUESTED,
  type CloudEvent,
  type DeliveryRequestData,
  type RpcReply,
  type TableEntry,
  type WireNames,
} from '@rocketlead/contracts';
import { deleteStreams, startInProcess } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { startServiceApp, type ServiceUnderTest } from '@rocketlead/testing';
import { AppModule } from '../src/app.module';
import { loadDeliveryConfig, type DeliveryConfig } from '../src/config';
import { migrateDelivery } from '../src/migrate';

export type DeliveryUnderTest = ServiceUnderTest<DeliveryConfig, INestApplication>;

/** delivery in this process on a fresh database and namespace; `env` adds configuration. */
export function startDelivery(name: string, env: Record<string, string> = {}): Promise<DeliveryUnderTest> {
  return startServiceApp<DeliveryConfig, INestApplication>({
    name,
    deleteStreams,
    loadConfig: (base) => loadDeliveryConfig({ ...base, ...env }),
    migrate: migrateDelivery,
    start: (config) => startInProcess(AppModule.forConfig(config), new JsonLogger('delivery', 'error')),
  });
}

export interface ReceivedRequest {
  at: number;
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Behaviour = (
  request: ReceivedRequest,
  index: number,
) => { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/** A local HTTP receiver on 127.0.0.1: records every request and answers as `behaviour` says. */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private readonly server: Server;

  private constructor(public behaviour: Behaviour) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.answer(req, res, Buffer.concat(chunks).toString('utf8')));
    });
  }

  static async start(behaviour: Behaviour = () => ({ status: 200 })): Promise<Receiver> {
    const receiver = new Receiver(behaviour);
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  private answer(req: IncomingMessage, res: ServerResponse, body: string): void {
    const request: ReceivedRequest = {
      at: Date.now(),
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body,
    };
    this.requests.push(request);
    const answer = this.behaviour(request, this.requests.length - 1);
    if (answer === 'hang') {
      this.hanging.add(res);
      return;
    }
    res.writeHead(answer.status, answer.headers ?? {});
    res.end(answer.body ?? '');
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Answers leads' `entriesGet` from memory on the test namespace (what a form webhook sends). */
export class FakeLeads {
  readonly entries = new Map<string, TableEntry>();
  private readonly sub: Subscription;

  constructor(nc: NatsConnection, names: WireNames) {
    this.sub = nc.subscribe(names.command(COMMANDS.entriesGet), {
      callback: (error, msg) => {
        if (error) return;
        const request = msg.json<{ organizationId: string; id: string }>();
        const entry = this.entries.get(request.id);
        const reply: RpcReply<TableEntry> =
          entry && entry.organizationId === request.organizationId
            ? { ok: true, result: entry }
            : { ok: false, error: new DomainError('NOT_FOUND', 'Table entry not found').toBody() };
        msg.respond(JSON.stringify(reply));
      },
    });
  }

  add(organizationId: string, data: TableEntry['data']): TableEntry {
    const now = new Date().toISOString();
    const entry: TableEntry = {
      id: uuidv7(),
      tableId: uuidv7(),
      organizationId,
      data,
      customFieldData: {},
      leadStateId: uuidv7(),
      assignedMemberId: null,
      duplicateOfId: null,
      tags: [],
      createdAt: now,
      updatedAt: now,
    };
    this.entries.set(entry.id, entry);
    return entry;
  }

  stop(): void {
    this.sub.unsubscribe();
  }
}

export function actorOf(organizationId: string): Actor {
  return {
    organizationId,
    channel: 'connect_api',
    apiTokenId: null,
    memberId: null,
    correlationId: uuidv7(),
    traceparent: null,
  };
}

export function entryAdded(entry: TableEntry): CloudEvent<TableEntry> {
  return createEvent({
    type: TABLE_ENTRY_ADDED,
    source: '/leads',
    subject: entry.id,
    data: entry,
    actor: actorOf(entry.organizationId),
  });
}

export async function publishEvent(
  nc: NatsConnection,
  names: WireNames,
  event: CloudEvent,
  msgID: string = event.id,
): Promise<void> {
  await nc.jetstream().publish(names.eventSubject(event.type), JSON.stringify(event), { msgID });
}

/** An `automation.delivery.requested` event as a run step writes it (one step of a fresh run). */
export function deliveryRequest(
  organizationId: string,
  data: Partial<DeliveryRequestData>,
): CloudEvent<DeliveryRequestData> {
  const runId = uuidv7();
  return createEvent<DeliveryRequestData>({
    type: DELIVERY_REQUESTED,
    source: '/automation',
    subject: runId,
    data: {
      idempotencyKey: `${runId}:0`,
      runId,
      automationId: uuidv7(),
      stepIndex: 0,
      entryId: null,
      kind: 'webhook',
      webhook: null,
      email: null,
      sms: null,
      ...data,
    },
    actor: { ...actorOf(organizationId), channel: 'automation' },
    causationId: runId,
    depth: 1,
  });
}
