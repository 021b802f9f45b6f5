import { Injectable } from '@nestjs/common';
import {
  validationFailed,
  DomainError,
  budgetedPage,
  type ActivityItem,
  type ActivityListCommand,
  type Page,
} from '@rocketlead/contracts';
import { LeadsGateway } from '../gateways/leads.gateway';
import { decodeActivityCursor, encodeActivityCursor } from './activity-cursor';
import { activityTypeFilter } from './activity-filter';
import { ActivityRepository } from './activity.repository';

/** A lead's activity timeline: its events, the runs and steps of automations on it, and their tasks. */
@Injectable()
export class ActivityService {
  constructor(
    private readonly activity: ActivityRepository,
    private readonly leads: LeadsGateway,
  ) {}

  async list(command: ActivityListCommand): Promise<Page<ActivityItem>> {
    const after = command.cursor ? decodeActivityCursor(command.cursor) : undefined;
    if (after === null) throw validationFailed([{ field: 'cursor', message: 'is not a valid cursor' }]);
    // The lead decides the answer (another organization's lead is not found), so it is asked first.
    const entry = await this.leads.entry(command.organizationId, command.entryId);
    if (!entry) throw new DomainError('NOT_FOUND', 'Table entry not found');
    // One extra row tells whether another page exists.
    const rows = await this.activity.page(
      command.organizationId,
      command.entryId,
      activityTypeFilter(command.types),
      command.limit + 1,
      after,
    );
    // An event carries the whole lead: the page stops before it outgrows a reply.
    return budgetedPage(
      rows,
      command.limit,
      (row) => row.item,
      (row) => encodeActivityCursor(row.position),
      { what: 'An activity item', idKey: 'itemId' },
    );
  }
}
