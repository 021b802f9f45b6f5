import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7, type Calendar } from '@rocketlead/contracts';
import { CalendarEntity } from './calendar.entity';

export const toCalendar = (row: CalendarEntity): Calendar => ({
  id: row.id,
  organizationId: row.organizationId,
  name: row.name,
  timezone: row.timezone,
  exclusive: row.exclusive,
  createdAt: row.createdAt.toISOString(),
});

@Injectable()
export class CalendarsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(CalendarEntity);
  }

  insert(
    organizationId: string,
    name: string,
    timezone: string,
    exclusive: boolean,
  ): Promise<CalendarEntity> {
    return this.repo().save(this.repo().create({ id: uuidv7(), organizationId, name, timezone, exclusive }));
  }

  find(organizationId: string, id: string, manager?: EntityManager): Promise<CalendarEntity | null> {
    return this.repo(manager).findOneBy({ organizationId, id });
  }
}
