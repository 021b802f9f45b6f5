import type { Provider } from '@nestjs/common';
import { ReminderIntake } from './reminder-intake';
import { ReminderPlanner } from './reminder-planner';
import { ReminderTimers } from './reminder-timers';
import { RemindersRepository } from './reminders.repository';

export { ReminderPlanner } from './reminder-planner';
export { ReminderTimers } from './reminder-timers';
export { ReminderEntity } from './reminder.entity';

// Appointment reminders (calendar.appointment.before / after): planning, their timers, the booking changes.
export const REMINDER_PROVIDERS: Provider[] = [
  RemindersRepository,
  ReminderPlanner,
  ReminderTimers,
  ReminderIntake,
];
