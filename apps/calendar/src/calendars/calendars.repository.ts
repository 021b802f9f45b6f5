import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7, type Calendar } from '@rocketlead/contracts';
import type { CursorPosition } from '@rocketlead/persistence';
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

  /** Newest first, after `after`; `limit` rows at most. */
  list(organizationId: string, limit: number, after?: CursorPosition): Promise<CalendarEntity[]> {
    const query = this.repo()
      .createQueryBuilder('c')
      .where('c.organization_id = :organizationId', { organizationId })
      .orderBy('c.created_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(limit);
    if (after)
      query.andWhere('(c.created_at, c.id) < (CAST(:at AS timestamptz), CAST(:id AS uuid))', {
        at: after.at,
        id: after.id,
      });
    return query.getMany();
  }
}
