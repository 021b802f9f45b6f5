import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  IntegrationsConnectEventbriteCommand,
  IntegrationsConnectStripeCommand,
  IntegrationsDeleteCommand,
  IntegrationsDeliveriesCommand,
  IntegrationsGetCommand,
  IntegrationsUpdateCommand,
  IntegrationsListCommand,
  IntegrationsWebhookReceiveCommand,
  type IntegrationConnection,
  type IntegrationDelivery,
  type Page,
  type WebhookReceiveResult,
} from '@rocketlead/contracts';
import { ConnectionsService } from '../connections/connections.service';
import { WebhookReceiverService } from '../webhooks/webhook-receiver.service';

/** Connection commands and provider webhooks, served by the command transport (queue group `integrations`). */
@Controller()
export class IntegrationsHandlers {
  constructor(
    private readonly connections: ConnectionsService,
    private readonly receiver: WebhookReceiverService,
  ) {}

  @MessagePattern(COMMANDS.integrationsConnectStripe)
  connectStripe(@Payload() command: IntegrationsConnectStripeCommand): Promise<IntegrationConnection> {
    return this.connections.connectStripe(command);
  }

  @MessagePattern(COMMANDS.integrationsConnectEventbrite)
  connectEventbrite(
    @Payload() command: IntegrationsConnectEventbriteCommand,
  ): Promise<IntegrationConnection> {
    return this.connections.connectEventbrite(command);
  }

  @MessagePattern(COMMANDS.integrationsList)
  list(@Payload() command: IntegrationsListCommand): Promise<Page<IntegrationConnection>> {
    return this.connections.list(command);
  }

  @MessagePattern(COMMANDS.integrationsGet)
  get(@Payload() command: IntegrationsGetCommand): Promise<IntegrationConnection> {
    return this.connections.get(command);
  }

  @MessagePattern(COMMANDS.integrationsUpdate)
  update(@Payload() command: IntegrationsUpdateCommand): Promise<IntegrationConnection> {
    return this.connections.update(command);
  }

  @MessagePattern(COMMANDS.integrationsDelete)
  delete(@Payload() command: IntegrationsDeleteCommand): Promise<IntegrationConnection> {
    return this.connections.delete(command);
  }

  @MessagePattern(COMMANDS.integrationsDeliveries)
  deliveries(@Payload() command: IntegrationsDeliveriesCommand): Promise<Page<IntegrationDelivery>> {
    return this.connections.deliveries(command);
  }

  @MessagePattern(COMMANDS.integrationsWebhookReceive)
  receive(@Payload() command: IntegrationsWebhookReceiveCommand): Promise<WebhookReceiveResult> {
    return this.receiver.receive(command);
  }
}
