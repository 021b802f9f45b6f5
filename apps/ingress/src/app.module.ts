import { Module, type DynamicModule } from '@nestjs/common';
import { HealthController, MessagingModule, MetricsController, natsSecurity } from '@rocketlead/messaging';
import { INGRESS_CONFIG } from './config.token';
import type { IngressConfig } from './config';
import { ingressDatabase } from './database/database.module';
import { ApiTokensRepository } from './api-tokens/api-tokens.repository';
import { ApiTokensService } from './api-tokens/api-tokens.service';
import { ApiTokensController } from './api-tokens/api-tokens.controller';
import { ConnectAuthGuard } from './auth/connect-auth.guard';
import { IngressWebhooksRepository } from './ingress-webhooks/ingress-webhooks.repository';
import { IngressWebhooksService } from './ingress-webhooks/ingress-webhooks.service';
import { IngressWebhooksController } from './ingress-webhooks/ingress-webhooks.controller';
import { IngressWebhookGuard } from './ingress-webhooks/ingress-webhook.guard';
import { PublicIngressController } from './ingress-webhooks/public-ingress.controller';
import { IdempotencyRepository } from './idempotency/idempotency.repository';
import { IdempotencyService } from './idempotency/idempotency.service';
import { LeadPoolsService } from './lead-pools/lead-pools.service';
import { LeadPoolsController } from './lead-pools/lead-pools.controller';
import { CustomFieldsService } from './custom-fields/custom-fields.service';
import { CustomFieldsController } from './custom-fields/custom-fields.controller';
import { TableEntriesService } from './table-entries/table-entries.service';
import { TableEntriesController } from './table-entries/table-entries.controller';
import { MembersService } from './members/members.service';
import { MembersController } from './members/members.controller';
import { MemberGroupsService } from './member-groups/member-groups.service';
import { MemberGroupsController } from './member-groups/member-groups.controller';
import { TagsService } from './tags/tags.service';
import { TagsController } from './tags/tags.controller';
import { PipelinesService } from './pipelines/pipelines.service';
import { PipelinesController } from './pipelines/pipelines.controller';
import { DealsService } from './deals/deals.service';
import { DealsController } from './deals/deals.controller';
import { CalendarsService } from './calendars/calendars.service';
import { CalendarsController } from './calendars/calendars.controller';
import { CalendarBookingsService } from './calendar-bookings/calendar-bookings.service';
import { CalendarBookingsController } from './calendar-bookings/calendar-bookings.controller';
import { AutomationsService } from './automations/automations.service';
import { AutomationsController } from './automations/automations.controller';
import { WebhookEndpointsService } from './webhook-endpoints/webhook-endpoints.service';
import { WebhookEndpointsController } from './webhook-endpoints/webhook-endpoints.controller';
import { DeliveriesService } from './deliveries/deliveries.service';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { PublicDeliveryService } from './public-delivery/public-delivery.service';
import { EmailTrackingController } from './public-delivery/email-tracking.controller';
import { SmsCallbacksController } from './public-delivery/sms-callbacks.controller';
import { OrganizationsRepository } from './organizations/organizations.repository';
import { OrganizationSettingsService } from './organizations/organization-settings.service';
import { OrganizationController } from './organizations/organization.controller';
import { SweepsService } from './sweeps/sweeps.service';
import { SweepsController } from './sweeps/sweeps.controller';
import { FormsService } from './forms/forms.service';
import { FormsController } from './forms/forms.controller';
import { PublicRateLimitRepository } from './public-rate-limit/public-rate-limit.repository';
import { PublicRateLimitService } from './public-rate-limit/public-rate-limit.service';
import { PublicRateLimitGuard } from './public-rate-limit/public-rate-limit.guard';
import { PublicFormsService } from './public-forms/public-forms.service';
import { PublicFormsController } from './public-forms/public-forms.controller';
import { IntegrationsService } from './integrations/integrations.service';
import { IntegrationsController } from './integrations/integrations.controller';
import { ProductsService } from './products/products.service';
import { ProductsController } from './products/products.controller';
import { CrmEventsService } from './crm-events/crm-events.service';
import { CrmEventsController } from './crm-events/crm-events.controller';
import { PublicIntegrationsService } from './public-integrations/public-integrations.service';
import { PublicIntegrationsController } from './public-integrations/public-integrations.controller';
import { PublicEventsService } from './public-events/public-events.service';
import { PublicEventsController } from './public-events/public-events.controller';

export const SERVICE_NAME = 'ingress';

@Module({})
class ConfigHolder {}

@Module({})
export class AppModule {
  static forConfig(config: IngressConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        {
          module: ConfigHolder,
          global: true,
          providers: [{ provide: INGRESS_CONFIG, useValue: config }],
          exports: [INGRESS_CONFIG],
        },
        MessagingModule.forRoot({
          serviceName: SERVICE_NAME,
          natsUrl: config.NATS_URL,
          natsSecurity: natsSecurity(config),
          namespace: config.RL_NAMESPACE,
          rpcTimeoutMs: config.RPC_TIMEOUT_MS,
        }),
        ingressDatabase.module(config),
      ],
      controllers: [
        HealthController,
        MetricsController,
        ApiTokensController,
        IngressWebhooksController,
        PublicIngressController,
        LeadPoolsController,
        CustomFieldsController,
        TableEntriesController,
        MembersController,
        MemberGroupsController,
        TagsController,
        PipelinesController,
        DealsController,
        CalendarsController,
        CalendarBookingsController,
        AutomationsController,
        WebhookEndpointsController,
        DeliveriesController,
        EmailTrackingController,
        SmsCallbacksController,
        OrganizationController,
        SweepsController,
        FormsController,
        PublicFormsController,
        IntegrationsController,
        ProductsController,
        CrmEventsController,
        PublicIntegrationsController,
        PublicEventsController,
      ],
      providers: [
        ApiTokensRepository,
        ApiTokensService,
        ConnectAuthGuard,
        IngressWebhooksRepository,
        IngressWebhooksService,
        IngressWebhookGuard,
        IdempotencyRepository,
        IdempotencyService,
        LeadPoolsService,
        CustomFieldsService,
        TableEntriesService,
        MembersService,
        MemberGroupsService,
        TagsService,
        PipelinesService,
        DealsService,
        CalendarsService,
        CalendarBookingsService,
        AutomationsService,
        WebhookEndpointsService,
        DeliveriesService,
        PublicDeliveryService,
        OrganizationsRepository,
        OrganizationSettingsService,
        SweepsService,
        FormsService,
        PublicRateLimitRepository,
        PublicRateLimitService,
        PublicRateLimitGuard,
        PublicFormsService,
        IntegrationsService,
        ProductsService,
        CrmEventsService,
        PublicIntegrationsService,
        PublicEventsService,
      ],
    };
  }
}
