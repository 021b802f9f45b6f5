import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CloudEvent } from '@rocketlead/contracts';
import { appendToOutbox, OutboxSignal } from '@rocketlead/messaging';
import { CALENDAR_SCHEMA } from '../database/entities';

/** Where calendar writes the events of a change, inside the change's transaction. */
@Injectable()
export class EventsOutbox {
  readonly signal = new OutboxSignal();

  append(manager: EntityManager, events: CloudEvent[]): Promise<void> {
    return appendToOutbox(manager, CALENDAR_SCHEMA, events, this.signal.shouldNotify());
  }

  /** Call once the change that wrote events has committed: wakes this process's relay at once. */
  committed(): void {
    this.signal.committed();
  }
}
