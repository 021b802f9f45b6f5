import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  createEvent,
  PRODUCT_PURCHASED,
  uuidv7,
  type Actor,
  type CloudEvent,
  type ProductPurchasedData,
} from '@rocketlead/contracts';
import { ServiceOutbox } from '@rocketlead/messaging';
import { INTEGRATIONS_SCHEMA } from '../database/entities';
import { ProductEntity } from '../products/product.entity';
import type { PurchaseDraft } from '../processing/processing-outcome';

const S = `"${INTEGRATIONS_SCHEMA}"`;
const SOURCE = '/integrations';

/** Purchases of products, each with its product.purchased event in the outbox of the same transaction. */
@Injectable()
export class PurchasesRepository {
  constructor(private readonly outbox: ServiceOutbox) {}

  /**
   * Records the purchases not recorded yet (a session buys a product once, whichever of its events comes
   * first) and appends product.purchased for each new one, named after the product as it is now. A product
   * deleted since it was matched is left out.
   */
  async record(
    manager: EntityManager,
    actor: Actor,
    connection: { id: string; tableId: string },
    drafts: PurchaseDraft[],
  ): Promise<string[]> {
    if (drafts.length === 0) return [];
    const products = await manager.getRepository(ProductEntity).find({
      where: drafts.map((d) => ({ organizationId: actor.organizationId, id: d.productId })),
    });
    const names = new Map(products.map((p) => [p.id, p.name]));
    const kept = drafts.filter((d) => names.has(d.productId));
    if (kept.length === 0) return [];
    const now = new Date();
    const rows = kept.map((d) => ({ ...d, id: uuidv7(now.getTime()) }));
    const inserted = (await manager.query(
      `INSERT INTO ${S}.purchases (id, organization_id, connection_id, product_id, entry_id, stripe_session_id,
         stripe_event_id, amount_total, currency, created_at)
       SELECT id, $1, $2, product_id, entry_id, stripe_session_id, stripe_event_id, amount_total, currency, $3
       FROM unnest($4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::bigint[], $10::text[])
         AS p(id, product_id, entry_id, stripe_session_id, stripe_event_id, amount_total, currency)
       ON CONFLICT (organization_id, stripe_session_id, product_id) DO NOTHING RETURNING id`,
      [
        actor.organizationId,
        connection.id,
        now,
        rows.map((r) => r.id),
        rows.map((r) => r.productId),
        rows.map((r) => r.entryId),
        rows.map((r) => r.stripeSessionId),
        rows.map((r) => r.stripeEventId),
        rows.map((r) => r.amountTotal),
        rows.map((r) => r.currency),
      ],
    )) as { id: string }[];
    const insertedIds = new Set(inserted.map((r) => r.id));
    const events: CloudEvent<ProductPurchasedData>[] = rows
      .filter((r) => insertedIds.has(r.id))
      .map((r) =>
        createEvent<ProductPurchasedData>({
          type: PRODUCT_PURCHASED,
          source: SOURCE,
          subject: r.entryId,
          time: now,
          actor,
          data: {
            purchaseId: r.id,
            productId: r.productId,
            productName: names.get(r.productId)!,
            entryId: r.entryId,
            tableId: connection.tableId,
            amountTotal: r.amountTotal,
            currency: r.currency,
            stripeSessionId: r.stripeSessionId,
            connectionId: connection.id,
          },
        }),
      );
    await this.outbox.append(manager, events);
    return events.map((e) => e.data.purchaseId);
  }
}
