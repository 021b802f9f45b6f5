import { IsOptional, IsUUID } from 'class-validator';
import { PageQuery } from '../../http/page.query';

/** `GET /connect/forms`: a page of the organization's forms, narrowed to one lead pool. */
export class ListFormsQuery extends PageQuery {
  @IsOptional()
  @IsUUID()
  tableId?: string;
}
