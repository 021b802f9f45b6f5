import { OrganizationEntity } from '../organizations/organization.entity';
import { ApiTokenEntity } from '../api-tokens/api-token.entity';
import { IngressWebhookEntity } from '../ingress-webhooks/ingress-webhook.entity';
import { IdempotencyKeyEntity } from '../idempotency/idempotency-key.entity';
import { PublicRateLimitHitEntity } from '../public-rate-limit/public-rate-limit-hit.entity';

export const INGRESS_SCHEMA = 'ingress';
export const INGRESS_ENTITIES = [
  OrganizationEntity,
  ApiTokenEntity,
  IngressWebhookEntity,
  IdempotencyKeyEntity,
  PublicRateLimitHitEntity,
];
