import { Inject, Injectable } from '@nestjs/common';
import {
  DomainError,
  isTimeZone,
  type OrganizationSettings,
  type OrganizationSettingsGetCommand,
  type OrganizationSettingsUpdateCommand,
} from '@rocketlead/contracts';
import { TRANSACTION, type Transactional } from '@rocketlead/persistence';
import { BirthdayTimers } from '../birthdays/birthday-timers';
import { OrganizationSettingsRepository } from './organization-settings.repository';

/** Organization settings (its time zone); a changed time zone moves its daily birthday sweep. */
@Injectable()
export class OrganizationSettingsService {
  constructor(
    private readonly settings: OrganizationSettingsRepository,
    private readonly birthdayTimers: BirthdayTimers,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  async get(request: OrganizationSettingsGetCommand): Promise<OrganizationSettings> {
    return { timezone: await this.settings.timezoneOrDefault(request.organizationId) };
  }

  async update(request: OrganizationSettingsUpdateCommand): Promise<OrganizationSettings> {
    const { organizationId, timezone } = request;
    if (timezone === undefined) return this.get(request);
    if (!isTimeZone(timezone)) {
      throw new DomainError('VALIDATION_FAILED', 'Validation failed', {
        errors: [{ field: 'timezone', message: 'must be an IANA time zone, e.g. Europe/Berlin' }],
      });
    }
    await this.transaction(async (manager) => {
      const previous = await this.settings.timezoneOrDefault(organizationId, manager);
      await this.settings.saveTimezone(manager, organizationId, timezone);
      // The sweep follows the new local midnight (only organizations with birthdays have one).
      await this.birthdayTimers.replan(manager, organizationId, previous, timezone);
    });
    return { timezone };
  }
}
