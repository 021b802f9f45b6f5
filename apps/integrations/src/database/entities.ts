import { MESSAGING_ENTITIES } from '@rocketlead/messaging';
import { TimerEntity } from '@rocketlead/timers';
import { ConnectionEntity } from '../connections/connection.entity';
import { ProductEntity } from '../products/product.entity';
import { PurchaseEntity } from '../purchases/purchase.entity';
import { InboundWebhookEntity } from '../webhooks/inbound-webhook.entity';

export const INTEGRATIONS_SCHEMA = 'integrations';
export const INTEGRATIONS_ENTITIES = [
  ConnectionEntity,
  ProductEntity,
  PurchaseEntity,
  InboundWebhookEntity,
  TimerEntity,
  ...MESSAGING_ENTITIES,
];
