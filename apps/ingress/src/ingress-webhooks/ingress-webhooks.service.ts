import { Inject, Injectable } from '@nestjs/common';
import {
  assertEntryFits,
  COMMANDS,
  DomainError,
  type TableEntry,
  type IngressPayloadBody,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import { INGRESS_CONFIG } from '../config.token';
import type { IngressConfig } from '../config';
import type { Principal } from '../auth/principal';
import { actor, type RequestContext } from '../http/request-context';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { IngressWebhooksRepository } from './ingress-webhooks.repository';
import type { IngressWebhookEntity } from './ingress-webhook.entity';
import type { CreateIngressWebhookDto } from './dto/create-ingress-webhook.dto';

export interface IngressWebhookView {
  id: string;
  tableId: string;
  name: string | null;
  url: string;
  createdAt: string;
}

const webhookNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Webhook not found');

@Injectable()
export class IngressWebhooksService {
  constructor(
    private readonly webhooks: IngressWebhooksRepository,
    private readonly rpc: RpcClient,
    private readonly idempotency: IdempotencyService,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
  ) {}

  async create(
    principal: Principal,
    dto: CreateIngressWebhookDto,
    request: RequestContext,
  ): Promise<IngressWebhookView & { token: string }> {
    // The pool must be one of this organization's; leads answers 404 otherwise.
    await this.rpc.request(
      COMMANDS.poolsGet,
      { organizationId: principal.organizationId, id: dto.tableId },
      { traceparent: request.traceparent },
    );
    const { row, token } = await this.webhooks.create(
      principal.organizationId,
      dto.tableId,
      dto.name ?? null,
    );
    return { ...this.view(row), token };
  }

  async get(principal: Principal, id: string): Promise<IngressWebhookView> {
    const row = await this.webhooks.find(principal.organizationId, id);
    if (!row) throw webhookNotFound();
    return this.view(row);
  }

  async list(principal: Principal): Promise<IngressWebhookView[]> {
    return (await this.webhooks.list(principal.organizationId)).map((row) => this.view(row));
  }

  async rotateToken(principal: Principal, id: string): Promise<{ token: string }> {
    const token = await this.webhooks.rotate(principal.organizationId, id);
    if (!token) throw webhookNotFound();
    return { token };
  }

  async remove(principal: Principal, id: string): Promise<void> {
    if (!(await this.webhooks.softDelete(principal.organizationId, id))) throw webhookNotFound();
  }

  /** POST /public/ingress_webhooks/:id (webhook already verified) — one new entry per call unless an Idempotency-Key repeats. */
  async ingest(
    webhook: IngressWebhookEntity,
    payload: IngressPayloadBody,
    idempotencyKey: string | undefined,
    request: RequestContext,
  ): Promise<TableEntry> {
    assertEntryFits(payload.data, payload.customFieldData);
    return this.idempotency.run({
      organizationId: webhook.organizationId,
      credentialId: webhook.id,
      key: idempotencyKey,
      route: `ingress_webhook:${webhook.id}`,
      body: payload,
      work: (downstreamKey) =>
        this.rpc.request(
          COMMANDS.entriesCreate,
          {
            actor: actor(webhook.organizationId, 'ingress_webhook', null, request),
            tableId: webhook.tableId,
            data: payload.data,
            ...(payload.customFieldData ? { customFieldData: payload.customFieldData } : {}),
            schemaMode: 'infer',
            ...(downstreamKey ? { idempotencyKey: downstreamKey } : {}),
          },
          { traceparent: request.traceparent },
        ),
    });
  }

  private view(row: IngressWebhookEntity): IngressWebhookView {
    return {
      id: row.id,
      tableId: row.tableId,
      name: row.name,
      url: `${this.config.PUBLIC_URL}/public/ingress_webhooks/${row.id}`,
      createdAt: row.createdAt.toISOString(),
    };
  }
}
