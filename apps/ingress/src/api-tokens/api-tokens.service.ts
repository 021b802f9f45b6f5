import { Injectable } from '@nestjs/common';
import { DomainError } from '@rocketlead/contracts';
import type { Principal } from '../auth/principal';
import { ApiTokensRepository } from './api-tokens.repository';
import type { CreateApiTokenDto } from './dto/create-api-token.dto';

export interface ApiTokenView {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
}

@Injectable()
export class ApiTokensService {
  constructor(private readonly tokens: ApiTokensRepository) {}

  async create(principal: Principal, dto: CreateApiTokenDto): Promise<ApiTokenView & { token: string }> {
    const { row, token } = await this.tokens.create(principal.organizationId, dto.name, dto.scopes);
    return { id: row.id, name: row.name, scopes: row.scopes, createdAt: row.createdAt.toISOString(), token };
  }

  async list(principal: Principal): Promise<ApiTokenView[]> {
    const rows = await this.tokens.list(principal.organizationId);
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      scopes: row.scopes,
      createdAt: row.createdAt.toISOString(),
    }));
  }

  async revoke(principal: Principal, id: string): Promise<void> {
    if (!(await this.tokens.revoke(principal.organizationId, id)))
      throw new DomainError('NOT_FOUND', 'API token not found');
  }
}
