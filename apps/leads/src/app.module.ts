import { Module, type DynamicModule } from '@nestjs/common';
import {
  HealthController,
  MessagingModule,
  MetricsController,
  outboxProviders,
  natsSecurity,
} from '@rocketlead/messaging';
import { LEADS_CONFIG } from './config.token';
import { LEADS_SCHEMA } from './database/entities';
import type { LeadsConfig } from './config';
import { leadsDatabase } from './database/database.module';
import { PoolsRepository } from './pools/pools.repository';
import { PoolsService } from './pools/pools.service';
import { PoolsHandlers } from './pools/pools.handlers';
import { LeadStatesRepository } from './lead-states/lead-states.repository';
import { LeadStatesService } from './lead-states/lead-states.service';
import { LeadStatesHandlers } from './lead-states/lead-states.handlers';
import { CustomFieldsRepository } from './custom-fields/custom-fields.repository';
import { CustomFieldsService } from './custom-fields/custom-fields.service';
import { CustomFieldsHandlers } from './custom-fields/custom-fields.handlers';
import { EntriesRepository } from './entries/entries.repository';
import { DedupeRepository } from './entries/dedupe.repository';
import { EntriesService } from './entries/entries.service';
import { EntriesHandlers } from './entries/entries.handlers';
import { MembersRepository } from './members/members.repository';
import { MembersService } from './members/members.service';
import { MembersHandlers } from './members/members.handlers';
import { MemberGroupsRepository } from './member-groups/member-groups.repository';
import { MemberGroupsService } from './member-groups/member-groups.service';
import { MemberGroupsHandlers } from './member-groups/member-groups.handlers';
import { TagsRepository } from './tags/tags.repository';
import { TagsService } from './tags/tags.service';
import { TagsHandlers } from './tags/tags.handlers';
import { EntryContactsRepository } from './entries/entry-contacts.repository';
import { EntryContactsService } from './entries/entry-contacts.service';
import { EntryContactsHandlers } from './entries/entry-contacts.handlers';
import { PipelinesRepository } from './pipelines/pipelines.repository';
import { PipelinesService } from './pipelines/pipelines.service';
import { PipelinesHandlers } from './pipelines/pipelines.handlers';
import { DealsRepository } from './deals/deals.repository';
import { DealsService } from './deals/deals.service';
import { DealsHandlers } from './deals/deals.handlers';
import { OrganizationSettingsRepository } from './organizations/organization-settings.repository';
import { OrganizationSettingsService } from './organizations/organization-settings.service';
import { OrganizationSettingsHandlers } from './organizations/organization-settings.handlers';
import { BirthdaysRepository } from './birthdays/birthdays.repository';
import { BirthdaySweepService } from './birthdays/birthday-sweep.service';
import { BirthdayTimers } from './birthdays/birthday-timers';
import { BirthdayTimerRunnerService } from './birthdays/birthday-timer-runner.service';
import { BirthdaysHandlers } from './birthdays/birthdays.handlers';
import { FormsRepository } from './forms/forms.repository';
import { FormSubmissionsRepository } from './forms/form-submissions.repository';
import { FormsService } from './forms/forms.service';
import { FormSubmissionsService } from './forms/form-submissions.service';
import { FormSubmissionsSweeper } from './forms/form-submissions.sweeper';
import { CalendarGateway } from './forms/calendar.gateway';
import { FormsHandlers } from './forms/forms.handlers';
import { ContactMatchingRepository } from './contacts/contact-matching.repository';
import { ContactsService } from './contacts/contacts.service';
import { ContactsHandlers } from './contacts/contacts.handlers';

export const SERVICE_NAME = 'leads';

@Module({})
export class AppModule {
  static forConfig(config: LeadsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        {
          module: ConfigHolder,
          global: true,
          providers: [{ provide: LEADS_CONFIG, useValue: config }],
          exports: [LEADS_CONFIG],
        },
        MessagingModule.forRoot({
          serviceName: SERVICE_NAME,
          natsUrl: config.NATS_URL,
          natsSecurity: natsSecurity(config),
          namespace: config.RL_NAMESPACE,
          rpcTimeoutMs: config.RPC_TIMEOUT_MS,
          commandConcurrency: config.DB_POOL_SIZE,
        }),
        leadsDatabase.module(config),
      ],
      controllers: [
        HealthController,
        MetricsController,
        PoolsHandlers,
        LeadStatesHandlers,
        CustomFieldsHandlers,
        EntriesHandlers,
        MembersHandlers,
        MemberGroupsHandlers,
        TagsHandlers,
        EntryContactsHandlers,
        PipelinesHandlers,
        DealsHandlers,
        OrganizationSettingsHandlers,
        BirthdaysHandlers,
        FormsHandlers,
        ContactsHandlers,
      ],
      providers: [
        PoolsRepository,
        PoolsService,
        LeadStatesRepository,
        LeadStatesService,
        CustomFieldsRepository,
        CustomFieldsService,
        EntriesRepository,
        DedupeRepository,
        EntriesService,
        MembersRepository,
        MembersService,
        MemberGroupsRepository,
        MemberGroupsService,
        TagsRepository,
        TagsService,
        EntryContactsRepository,
        EntryContactsService,
        PipelinesRepository,
        PipelinesService,
        DealsRepository,
        DealsService,
        OrganizationSettingsRepository,
        OrganizationSettingsService,
        BirthdaysRepository,
        BirthdaySweepService,
        BirthdayTimers,
        BirthdayTimerRunnerService,
        FormsRepository,
        FormSubmissionsRepository,
        FormsService,
        FormSubmissionsService,
        FormSubmissionsSweeper,
        ContactMatchingRepository,
        ContactsService,
        CalendarGateway,
        ...outboxProviders({
          schema: LEADS_SCHEMA,
          databaseUrl: config.DATABASE_URL,
          retention: {
            outboxMs: config.OUTBOX_RETENTION,
            inboxMs: config.INBOX_RETENTION,
            deadLetterMs: config.DEAD_LETTER_RETENTION,
          },
        }),
      ],
    };
  }
}

@Module({})
class ConfigHolder {}
