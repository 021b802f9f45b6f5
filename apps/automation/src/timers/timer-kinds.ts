import { Injectable } from '@nestjs/common';
import { ReminderTimers } from '../reminders/reminder-timers';
import { WakeTimers } from '../runs/wake-timers';
import type { TimerKindHandler } from './timer-kind';

/**
 * Every automation timer kind with its handler. A new kind is a handler (implementing TimerKindHandler)
 * added to the constructor and the list below.
 */
@Injectable()
export class TimerKinds {
  private readonly byKind = new Map<string, TimerKindHandler>();

  constructor(wake: WakeTimers, reminders: ReminderTimers) {
    for (const handler of [wake, reminders]) for (const kind of handler.kinds) this.byKind.set(kind, handler);
  }

  handler(kind: string): TimerKindHandler {
    const handler = this.byKind.get(kind);
    // Thrown inside the firing: the timer is retried, then dead-lettered with this message.
    if (!handler) throw new Error(`no handler for timer kind ${kind}`);
    return handler;
  }
}
