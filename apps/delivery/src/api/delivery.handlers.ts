import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  DeliveriesResendCommand,
  EmailTrackCommand,
  EndpointsAttemptsCommand,
  EndpointsCreateCommand,
  EndpointsDeleteCommand,
  EndpointsGetCommand,
  EndpointsListCommand,
  EndpointsRotateSecretCommand,
  EndpointsTestCommand,
  EndpointsUpdateCommand,
  EntryDeliveriesCommand,
  SmsCallbackCommand,
  type Delivery,
  type DeliveryAttempt,
  type DeliveryWithAttempts,
  type EmailTrackResult,
  type Page,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
} from '@rocketlead/contracts';
import { EndpointsService } from '../endpoints/endpoints.service';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { TrackingService } from '../tracking/tracking.service';

/** Command handlers, served by the command transport of @rocketlead/messaging (queue group `delivery`). */
@Controller()
export class DeliveryHandlers {
  constructor(
    private readonly endpoints: EndpointsService,
    private readonly deliveries: DeliveriesService,
    private readonly tracking: TrackingService,
  ) {}

  @MessagePattern(COMMANDS.endpointsCreate)
  create(@Payload() command: EndpointsCreateCommand): Promise<WebhookEndpointWithSecret> {
    return this.endpoints.create(command);
  }

  @MessagePattern(COMMANDS.endpointsList)
  list(@Payload() command: EndpointsListCommand): Promise<Page<WebhookEndpoint>> {
    return this.endpoints.list(command);
  }

  @MessagePattern(COMMANDS.endpointsGet)
  get(@Payload() command: EndpointsGetCommand): Promise<WebhookEndpoint> {
    return this.endpoints.get(command);
  }

  @MessagePattern(COMMANDS.endpointsUpdate)
  update(@Payload() command: EndpointsUpdateCommand): Promise<WebhookEndpoint> {
    return this.endpoints.update(command);
  }

  @MessagePattern(COMMANDS.endpointsDelete)
  delete(@Payload() command: EndpointsDeleteCommand): Promise<WebhookEndpoint> {
    return this.endpoints.delete(command);
  }

  @MessagePattern(COMMANDS.endpointsRotateSecret)
  rotateSecret(@Payload() command: EndpointsRotateSecretCommand): Promise<{ secret: string }> {
    return this.endpoints.rotateSecret(command);
  }

  @MessagePattern(COMMANDS.endpointsAttempts)
  attempts(@Payload() command: EndpointsAttemptsCommand): Promise<Page<DeliveryAttempt>> {
    return this.endpoints.attempts(command);
  }

  @MessagePattern(COMMANDS.endpointsTest)
  test(@Payload() command: EndpointsTestCommand): Promise<Delivery> {
    return this.deliveries.test(command);
  }

  @MessagePattern(COMMANDS.deliveriesResend)
  resend(@Payload() command: DeliveriesResendCommand): Promise<Delivery> {
    return this.deliveries.resend(command);
  }

  @MessagePattern(COMMANDS.entryDeliveries)
  history(@Payload() command: EntryDeliveriesCommand): Promise<Page<DeliveryWithAttempts>> {
    return this.deliveries.history(command);
  }

  @MessagePattern(COMMANDS.emailTrack)
  emailTrack(@Payload() command: EmailTrackCommand): Promise<EmailTrackResult> {
    return this.tracking.emailTrack(command);
  }

  @MessagePattern(COMMANDS.smsCallback)
  smsCallback(@Payload() command: SmsCallbackCommand): Promise<{ accepted: boolean }> {
    return this.tracking.smsCallback(command);
  }
}
