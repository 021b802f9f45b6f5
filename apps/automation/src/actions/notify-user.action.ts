import { Injectable } from '@nestjs/common';
import type { Member } from '@rocketlead/contracts';
import { LeadsGateway } from '../gateways/leads.gateway';
import {
  StepFailure,
  contextRecord,
  requireEntry,
  type ActionHandler,
  type StepInput,
  type StepResult,
} from './action-handler';
import { deliveryRequest } from './delivery-request';
import { TemplateRenderer } from './templates';

const NO_ASSIGNEE = 'the lead has no assigned member';

interface Message {
  subject: string;
  text: string;
}

/** Who a notify_user step emails, or why it has no one to email. */
type Recipient = { member: Member } | { skip: string };

/**
 * `notify_user {memberId?, subject, text}`: emails a member through delivery; without `memberId`, the member
 * the lead is assigned to when the step runs (an assign_user of the same run ran before it). A lead with no
 * assignee skips the step with the reason; an unknown or deactivated member fails it.
 */
@Injectable()
export class NotifyUserAction implements ActionHandler {
  readonly type = 'notify_user' as const;

  constructor(
    private readonly leads: LeadsGateway,
    private readonly templates: TemplateRenderer,
  ) {}

  async execute(input: StepInput): Promise<StepResult> {
    const message = this.render(input);
    const recipient = await this.recipient(input);
    if ('skip' in recipient) return { output: null, skip: recipient.skip };
    const { member } = recipient;
    const email = { to: member.email, subject: message.subject, text: message.text, html: null };
    return {
      output: { requested: true, kind: 'email', memberId: member.id },
      events: [deliveryRequest(input, 'email', { email })],
    };
  }

  async describe(input: StepInput): Promise<unknown> {
    const message = this.render(input);
    const recipient = await this.recipient(input);
    if ('member' in recipient) {
      const { member } = recipient;
      return { kind: 'email', memberId: member.id, email: { to: member.email, ...message, html: null } };
    }
    // Described, an earlier assign_user has assigned no one yet: it would, before this step runs.
    const assignedEarlier = input.context.steps.some((step) => step.type === 'assign_user');
    return assignedEarlier
      ? { kind: 'email', recipient: 'the member assigned by the assign_user step', ...message }
      : { kind: 'email', skip: recipient.skip, ...message };
  }

  private render(input: StepInput): Message {
    const context = contextRecord(input);
    const { subject, text } = input.step.params;
    return {
      subject: this.templates.render(subject as string, context, 'subject'),
      text: this.templates.render(text as string, context, 'text'),
    };
  }

  private async recipient(input: StepInput): Promise<Recipient> {
    const organizationId = input.run.organizationId;
    const traceparent = input.actor.traceparent;
    let memberId = input.step.params.memberId as string | undefined;
    if (memberId === undefined) {
      // Read again: the trigger's snapshot predates an assignment made by this run.
      const entry = await this.leads.entry(organizationId, requireEntry(input), traceparent);
      if (!entry) throw new StepFailure('the lead no longer exists');
      if (!entry.assignedMemberId) return { skip: NO_ASSIGNEE };
      memberId = entry.assignedMemberId;
    }
    const member = await this.leads.member(organizationId, memberId, traceparent);
    if (!member) throw new StepFailure(`member ${memberId} not found`);
    if (!member.active) throw new StepFailure(`member ${memberId} is deactivated`);
    return { member };
  }
}
