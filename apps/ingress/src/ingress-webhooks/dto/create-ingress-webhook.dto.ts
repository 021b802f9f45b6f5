import { IsOptional, IsString, IsUUID, Length } from 'class-validator';

export class CreateIngressWebhookDto {
  @IsUUID()
  tableId: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;
}
