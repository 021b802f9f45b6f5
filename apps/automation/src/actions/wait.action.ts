import { Injectable } from '@nestjs/common';
import { addDuration, nextTimeOfDay, parseDuration } from '@rocketlead/contracts';
import { CalendarGateway } from '../gateways/calendar.gateway';
import { LeadsGateway } from '../gateways/leads.gateway';
import { WAKE_RESUME } from '../runs/wake-timers';
import {
  StepFailure,
  contextRecord,
  type ActionHandler,
  type StepInput,
  type StepResult,
} from './action-handler';
import { TemplateRenderer } from './templates';

/**
 * `wait {duration}` (ISO-8601), `wait {until}` (a date-time, or a template rendering one) or
 * `wait {timeOfDay, timezone?}` (the next such time; by default in the booking's calendar's time zone, else
 * the organization's). The run waits until then; a time already past goes on at once.
 */
@Injectable()
export class WaitAction implements ActionHandler {
  readonly type = 'wait' as const;

  constructor(
    private readonly templates: TemplateRenderer,
    private readonly calendars: CalendarGateway,
    private readonly leads: LeadsGateway,
  ) {}

  async execute(input: StepInput): Promise<StepResult> {
    const now = new Date();
    const resumeAt = await this.resumeAt(input, now);
    if (resumeAt.getTime() <= now.getTime())
      return { output: { resumeAt: resumeAt.toISOString(), resumedAt: now.toISOString(), late: false } };
    return {
      output: { resumeAt: resumeAt.toISOString() },
      suspend: { resumeAt, timerKind: WAKE_RESUME },
    };
  }

  async describe(input: StepInput): Promise<unknown> {
    return { wait: { resumeAt: (await this.resumeAt(input, new Date())).toISOString() } };
  }

  private async resumeAt(input: StepInput, now: Date): Promise<Date> {
    const params = input.step.params;
    if (typeof params.duration === 'string') {
      const duration = parseDuration(params.duration);
      if (!duration) throw new StepFailure(`duration: ${params.duration} is not an ISO 8601 duration`);
      return addDuration(now, duration);
    }
    if (typeof params.until === 'string') {
      const rendered = this.templates.render(params.until, contextRecord(input), 'until').trim();
      const at = Date.parse(rendered);
      if (Number.isNaN(at)) throw new StepFailure(`until: "${rendered.slice(0, 100)}" is not a date-time`);
      return new Date(at);
    }
    if (typeof params.timeOfDay === 'string')
      return nextTimeOfDay(now, params.timeOfDay, await this.timezone(input));
    throw new StepFailure('give one of duration, until and timeOfDay');
  }

  /** The action's time zone, else the booking's calendar's, else the organization's (UTC unless set). */
  private async timezone(input: StepInput): Promise<string> {
    const given = input.step.params.timezone;
    if (typeof given === 'string') return given;
    const { organizationId } = input.run;
    const traceparent = input.actor.traceparent;
    const calendarId = input.run.snapshot.booking?.calendarId;
    // A calendar deleted since the booking falls through to the organization's zone.
    const calendar = calendarId
      ? await this.calendars.calendar(organizationId, calendarId, traceparent)
      : null;
    if (calendar) return calendar.timezone;
    return (await this.leads.organizationSettings(organizationId, traceparent)).timezone;
  }
}
