import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsUUID } from 'class-validator';
import { PageQuery } from '../../http/page.query';

/** `true`/`false` only: `1`, `yes` or an empty value stay as sent, so IsBoolean refuses them naming the field. */
function strictBoolean({ value }: { value: unknown }): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** `?limit&cursor&groupId&active` of the members list. */
export class ListMembersQuery extends PageQuery {
  @IsOptional()
  @IsUUID()
  groupId?: string;

  @IsOptional()
  @Transform(strictBoolean)
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;
}
