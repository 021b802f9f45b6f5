import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { uuidv7 } from '@rocketlead/contracts';
import { generateApiToken, hashSecret, isApiTokenFormat, secretMatches } from '../secrets/token-secrets';
import { ApiTokenEntity, type Scope } from './api-token.entity';

@Injectable()
export class ApiTokensRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Creates a token and returns the row with the plain secret, which is never stored or readable again. */
  async create(
    organizationId: string,
    name: string,
    scopes: Scope[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ row: ApiTokenEntity; token: string }> {
    const token = generateApiToken();
    const repo = manager.getRepository(ApiTokenEntity);
    const row = await repo.save(
      repo.create({
        id: uuidv7(),
        organizationId,
        name,
        scopes,
        tokenHash: hashSecret(token),
        revokedAt: null,
      }),
    );
    return { row, token };
  }

  /** The active token matching the presented secret, or null. */
  async authenticate(presented: string): Promise<ApiTokenEntity | null> {
    if (!isApiTokenFormat(presented)) return null;
    const row = await this.dataSource
      .getRepository(ApiTokenEntity)
      .findOneBy({ tokenHash: hashSecret(presented) });
    if (!row || row.revokedAt || !secretMatches(presented, row.tokenHash)) return null;
    return row;
  }

  list(organizationId: string): Promise<ApiTokenEntity[]> {
    return this.dataSource.getRepository(ApiTokenEntity).find({
      where: { organizationId, revokedAt: IsNull() },
      order: { createdAt: 'ASC' },
    });
  }

  /** Returns false when the organization has no such active token. */
  async revoke(organizationId: string, id: string): Promise<boolean> {
    const result = await this.dataSource
      .getRepository(ApiTokenEntity)
      .update({ organizationId, id, revokedAt: IsNull() }, { revokedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }
}
