import { IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '../../http/page.query';

/** `GET /connect/events/:id/registrations`: a page of an event's registrations, narrowed to one status. */
export class ListRegistrationsQuery extends PageQuery {
  @IsOptional()
  @IsIn(['active', 'cancelled'])
  status?: 'active' | 'cancelled';
}
