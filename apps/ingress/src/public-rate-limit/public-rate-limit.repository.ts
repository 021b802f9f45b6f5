import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { uuidv7 } from '@rocketlead/contracts';
import { returnedRows } from '@rocketlead/persistence';
import type { RateLimitScope } from './public-rate-limit-hit.entity';

export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** A rate-limited key: what is counted (a form, an event) and who asks (the client IP). */
export interface RateKey {
  scope: RateLimitScope;
  subjectId: string;
  clientIp: string;
}

/** Hits of the public rate limits: a sliding window per (scope, subject, client IP), exact across replicas. */
@Injectable()
export class PublicRateLimitRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records a hit unless `limit` hits of the key already fall within the last `windowSeconds`; then answers in
   * how many seconds the oldest of them leaves the window. Refused hits are not recorded, so a client that
   * keeps trying gets in as soon as a slot frees.
   */
  hit(key: RateKey, limit: number, windowSeconds: number): Promise<RateVerdict> {
    const { scope, subjectId, clientIp } = key;
    return this.dataSource.transaction(async (manager) => {
      // One transaction per key at a time: concurrent hits (on any replica) cannot both see a free slot.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `ingress.public_rate_limit:${scope}:${subjectId}:${clientIp}`,
      ]);
      // clock_timestamp(), not now(): a hit that waited for the lock is judged when it gets its turn. The
      // CTE's delete is not visible to the count, hence the window condition there too.
      const [window] = (await manager.query(
        `WITH expired AS (
           DELETE FROM ingress.public_rate_limit_hits
           WHERE scope = $1 AND subject_id = $2 AND client_ip = $3
             AND hit_at <= clock_timestamp() - make_interval(secs => $4)
         )
         SELECT count(*)::int AS hits,
                ceil(extract(epoch FROM min(hit_at) + make_interval(secs => $4) - clock_timestamp()))::int
                  AS retry_after
         FROM ingress.public_rate_limit_hits
         WHERE scope = $1 AND subject_id = $2 AND client_ip = $3
           AND hit_at > clock_timestamp() - make_interval(secs => $4)`,
        [scope, subjectId, clientIp, windowSeconds],
      )) as { hits: number; retry_after: number | null }[];
      if (window && window.hits >= limit) {
        const seconds = Math.min(windowSeconds, Math.max(1, window.retry_after ?? windowSeconds));
        return { allowed: false, retryAfterSeconds: seconds };
      }
      await manager.query(
        `INSERT INTO ingress.public_rate_limit_hits (id, scope, subject_id, client_ip, hit_at)
         VALUES ($1, $2, $3, $4, clock_timestamp())`,
        [uuidv7(), scope, subjectId, clientIp],
      );
      return { allowed: true };
    });
  }

  /** Hits of keys nobody used since they left the window (a key's own hits go when it is used again). */
  async deleteOutside(windowSeconds: number): Promise<number> {
    const rows = returnedRows(
      await this.dataSource.query(
        `DELETE FROM ingress.public_rate_limit_hits
         WHERE hit_at <= clock_timestamp() - make_interval(secs => $1) RETURNING 1`,
        [windowSeconds],
      ),
    );
    return rows.length;
  }
}
