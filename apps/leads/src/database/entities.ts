import { InboxEntity, OutboxEntity } from '@rocketlead/messaging';
import { PoolEntity } from '../pools/pool.entity';
import { LeadStateEntity } from '../lead-states/lead-state.entity';
import { CustomFieldEntity } from '../custom-fields/custom-field.entity';
import { EntryEntity } from '../entries/entry.entity';
import { AppliedUpdateEntity } from '../entries/applied-update.entity';

export const LEADS_SCHEMA = 'leads';
export const LEADS_ENTITIES = [
  PoolEntity,
  LeadStateEntity,
  CustomFieldEntity,
  EntryEntity,
  AppliedUpdateEntity,
  OutboxEntity,
  InboxEntity,
];
