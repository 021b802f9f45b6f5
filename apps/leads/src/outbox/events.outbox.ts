import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CloudEvent } from '@rocketlead/contracts';
import { appendToOutbox } from '@rocketlead/messaging';
import { LEADS_SCHEMA } from '../database/entities';

/** Where leads writes the events of a change, inside the change's transaction. */
@Injectable()
export class EventsOutbox {
  append(manager: EntityManager, events: CloudEvent[]): Promise<void> {
    return appendToOutbox(manager, LEADS_SCHEMA, events);
  }
}
