import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

/** Every command acts within one organization. */
export class OrganizationScoped {
  @IsUUID()
  organizationId: string;
}

/** Most items one page of a list may hold (README, "Limits"). */
export const PAGE_LIMIT_MAX = 100;

/** A request for one page of an organization's list: how many items, and after which cursor. */
export class PageCommand extends OrganizationScoped {
  @IsInt()
  @Min(1)
  @Max(PAGE_LIMIT_MAX)
  limit: number;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}
