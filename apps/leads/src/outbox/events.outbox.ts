import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CloudEvent } from '@rocketlead/contracts';
import { appendToOutbox, OutboxSignal, withEvents, type Statement } from '@rocketlead/messaging';
import { LEADS_SCHEMA } from '../database/entities';

/** Where leads writes the events of a change, in the change's transaction or statement. */
@Injectable()
export class EventsOutbox {
  readonly signal = new OutboxSignal();

  append(manager: EntityManager, events: CloudEvent[]): Promise<void> {
    return appendToOutbox(manager, LEADS_SCHEMA, events, this.signal.shouldNotify());
  }

  /** The change and its events as one statement. */
  statement(change: Statement, events: CloudEvent[]): Statement {
    return withEvents(LEADS_SCHEMA, change, events, this.signal.shouldNotify());
  }

  /** Call once the change that wrote events has committed: wakes this process's relay at once. */
  committed(): void {
    this.signal.committed();
  }
}
