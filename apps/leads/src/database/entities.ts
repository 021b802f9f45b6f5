import { InboxEntity, OutboxEntity } from '@rocketlead/messaging';
import { TimerEntity } from '@rocketlead/timers';
import { PoolEntity } from '../pools/pool.entity';
import { LeadStateEntity } from '../lead-states/lead-state.entity';
import { CustomFieldEntity } from '../custom-fields/custom-field.entity';
import { EntryEntity } from '../entries/entry.entity';
import { AppliedUpdateEntity } from '../entries/applied-update.entity';
import { DedupeKeyEntity } from '../entries/dedupe-key.entity';
import { EntryMilestoneEntity } from '../entries/entry-milestone.entity';
import { MemberEntity } from '../members/member.entity';
import { MemberGroupEntity } from '../member-groups/member-group.entity';
import { MemberGroupMemberEntity } from '../member-groups/member-group-member.entity';
import { TagEntity } from '../tags/tag.entity';
import { EntryTagEntity } from '../tags/entry-tag.entity';
import { PipelineEntity } from '../pipelines/pipeline.entity';
import { PipelineStageEntity } from '../pipelines/pipeline-stage.entity';
import { DealEntity } from '../deals/deal.entity';
import { OrganizationSettingsEntity } from '../organizations/organization-settings.entity';
import { BirthdayEmittedEntity } from '../birthdays/birthday-emitted.entity';
import { FormEntity } from '../forms/form.entity';
import { FormSubmissionEntity } from '../forms/form-submission.entity';

export const LEADS_SCHEMA = 'leads';
export const LEADS_ENTITIES = [
  PoolEntity,
  LeadStateEntity,
  CustomFieldEntity,
  EntryEntity,
  AppliedUpdateEntity,
  DedupeKeyEntity,
  EntryMilestoneEntity,
  MemberEntity,
  MemberGroupEntity,
  MemberGroupMemberEntity,
  TagEntity,
  EntryTagEntity,
  PipelineEntity,
  PipelineStageEntity,
  DealEntity,
  OrganizationSettingsEntity,
  BirthdayEmittedEntity,
  FormEntity,
  FormSubmissionEntity,
  TimerEntity,
  OutboxEntity,
  InboxEntity,
];
