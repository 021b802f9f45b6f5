import { MESSAGING_ENTITIES } from '@rocketlead/messaging';
import { TimerEntity } from '@rocketlead/timers';
import { WebhookEndpointEntity } from '../endpoints/webhook-endpoint.entity';
import { EndpointSecretEntity } from '../endpoints/endpoint-secret.entity';
import { DeliveryEntity } from '../deliveries/delivery.entity';
import { DeliveryAttemptEntity } from '../deliveries/delivery-attempt.entity';
import { EmailSuppressionEntity } from '../tracking/email-suppression.entity';

export const DELIVERY_SCHEMA = 'delivery';
export const DELIVERY_ENTITIES = [
  WebhookEndpointEntity,
  EndpointSecretEntity,
  DeliveryEntity,
  DeliveryAttemptEntity,
  EmailSuppressionEntity,
  TimerEntity,
  ...MESSAGING_ENTITIES,
];
