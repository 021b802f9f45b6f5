import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { uuidv7 } from '@rocketlead/contracts';
import { NotifiedCache, notifyChanged, returnedRows } from '@rocketlead/persistence';
import { generateApiToken, hashSecret, isApiTokenFormat, secretMatches } from '../secrets/token-secrets';
import { ApiTokenEntity, type Scope } from './api-token.entity';

/** Channel on which a revoked token tells every replica to drop its copy (payload: the hash in hex). */
export const API_TOKENS_CHANGED_CHANNEL = 'ingress_api_tokens_changed';

interface TokenRow {
  id: string;
  organization_id: string;
  scopes: Scope[];
  token_hash: Buffer;
}

@Injectable()
export class ApiTokensRepository implements OnApplicationBootstrap, OnApplicationShutdown {
  /**
   * Active tokens by the hash of their secret: every Connect call authenticates, and the lookup was one
   * round trip per call. Revoking drops the copy in this process before the change is answered and in the
   * other replicas by NOTIFY when it commits (and no copy is older than a second). Revoked tokens are never
   * kept, and the presented secret is still compared in constant time on every call.
   */
  private readonly cache = new NotifiedCache<TokenRow>({
    channel: API_TOKENS_CHANGED_CHANNEL,
    applicationName: 'ingress-api-token-cache',
  });

  constructor(private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    const { url } = this.dataSource.options as { url?: string };
    if (url) await this.cache.listen(url);
  }

  onApplicationShutdown(): Promise<void> {
    return this.cache.stop();
  }

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
    const hash = hashSecret(presented);
    // Plain SQL: this runs on every Connect call.
    const row = await this.cache.read(hash.toString('hex'), async () => {
      const rows = (await this.dataSource.query(
        `SELECT id, organization_id, scopes, token_hash FROM ingress.api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
        [hash],
      )) as TokenRow[];
      return rows[0] ?? null;
    });
    if (!row || !secretMatches(presented, row.token_hash)) return null;
    return Object.assign(new ApiTokenEntity(), {
      id: row.id,
      organizationId: row.organization_id,
      scopes: row.scopes,
      tokenHash: row.token_hash,
      revokedAt: null,
    });
  }

  list(organizationId: string): Promise<ApiTokenEntity[]> {
    return this.dataSource.getRepository(ApiTokenEntity).find({
      where: { organizationId, revokedAt: IsNull() },
      order: { createdAt: 'ASC' },
    });
  }

  /**
   * Returns false when the organization has no such active token. The revocation and its NOTIFY commit
   * together; this process drops its copy before the commit and keeps none until that NOTIFY is back, so no
   * read of the old row outlives the commit.
   */
  async revoke(organizationId: string, id: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const revoked = returnedRows<{ token_hash: Buffer }>(
        await manager.query(
          `UPDATE ingress.api_tokens SET revoked_at = $3
           WHERE organization_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING token_hash`,
          [organizationId, id, new Date()],
        ),
      );
      const row = revoked[0];
      if (!row) return false;
      const key = row.token_hash.toString('hex');
      this.cache.invalidate(key);
      const notify = notifyChanged(API_TOKENS_CHANGED_CHANNEL, key);
      await manager.query(notify.sql, notify.params);
      return true;
    });
  }
}
