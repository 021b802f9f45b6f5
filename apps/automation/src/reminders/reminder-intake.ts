import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { DataSource, type EntityManager } from 'typeorm';
import {
  APPOINTMENT_BOOKED,
  APPOINTMENT_CANCELLED,
  APPOINTMENT_COMPLETED,
  APPOINTMENT_DELETED,
  APPOINTMENT_UPDATED,
  CONSUMERS,
  WireNames,
  type Booking,
  type BookingUpdatedData,
  type CloudEvent,
} from '@rocketlead/contracts';
import { EventConsumer, NATS_CONNECTION } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { AUTOMATION_CONFIG } from '../config.token';
import type { AutomationConfig } from '../config';
import { AUTOMATION_SCHEMA } from '../database/entities';
import { AutomationIndexService } from '../engine/automation-index';
import { orderingKey } from '../engine/run-starter';
import { remindersOf } from './reminder-plan';
import { ReminderPlanner } from './reminder-planner';

/** The booking changes that plan, move or end reminders. */
const BOOKING_CHANGES = [
  APPOINTMENT_BOOKED,
  APPOINTMENT_UPDATED,
  APPOINTMENT_CANCELLED,
  APPOINTMENT_COMPLETED,
  APPOINTMENT_DELETED,
];

/** The booking an event of BOOKING_CHANGES is about, as it is after the change. */
const bookingOf = (event: CloudEvent): Booking =>
  event.type === APPOINTMENT_UPDATED ? (event.data as BookingUpdatedData).booking : (event.data as Booking);

/**
 * Its own durable consumer of the CALENDAR stream (beside the engine's, which only sees events that trigger
 * something): each booking change plans, moves or ends its reminders once (inbox), in the booking's order.
 */
@Injectable()
export class ReminderIntake implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer: EventConsumer | undefined;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly names: WireNames,
    private readonly dataSource: DataSource,
    private readonly logger: JsonLogger,
    @Inject(AUTOMATION_CONFIG) private readonly config: AutomationConfig,
    private readonly index: AutomationIndexService,
    private readonly planner: ReminderPlanner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const consumer = new EventConsumer({
      nc: this.nc,
      names: this.names,
      dataSource: this.dataSource,
      schema: AUTOMATION_SCHEMA,
      stream: 'CALENDAR',
      durable: CONSUMERS.automationReminders,
      types: BOOKING_CHANGES,
      logger: this.logger,
      relevant: (event) => this.relevant(event),
      handler: (event, manager) => this.handle(event, manager),
      orderingKey,
      concurrency: this.config.AUTOMATION_CONCURRENCY,
    });
    await consumer.start();
    this.consumer = consumer;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }

  /**
   * Only organizations with an automation reminding of the booking's calendar (from memory). A reminder left
   * planned while that copy was stale is still re-checked when it fires.
   */
  private async relevant(event: CloudEvent): Promise<boolean> {
    const booking = bookingOf(event);
    return remindersOf(await this.index.index(event.organizationid), booking.calendarId).length > 0;
  }

  private async handle(event: CloudEvent, manager: EntityManager): Promise<void> {
    const booking = bookingOf(event);
    if (event.type === APPOINTMENT_BOOKED || event.type === APPOINTMENT_UPDATED)
      await this.planner.bookingChanged(manager, booking, new Date(event.time));
    else if (event.type === APPOINTMENT_DELETED)
      await this.planner.bookingEnded(manager, booking, 'booking deleted');
    else await this.planner.bookingEnded(manager, booking);
  }
}
