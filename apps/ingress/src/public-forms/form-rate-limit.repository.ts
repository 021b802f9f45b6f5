import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { uuidv7 } from '@rocketlead/contracts';
import { returnedRows } from '@rocketlead/persistence';

export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Hits of the public form rate limit: a sliding window per (form, client IP), exact across replicas. */
@Injectable()
export class FormRateLimitRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records a hit unless `limit` hits of the key already fall within the last `windowSeconds`; then answers in
   * how many seconds the oldest of them leaves the window. Refused hits are not recorded, so a client that
   * keeps trying gets in as soon as a slot frees.
   */
  hit(formId: string, clientIp: string, limit: number, windowSeconds: number): Promise<RateVerdict> {
    return this.dataSource.transaction(async (manager) => {
      // One transaction per key at a time: concurrent hits (on any replica) cannot both see a free slot.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `ingress.form_rate_limit:${formId}:${clientIp}`,
      ]);
      // clock_timestamp(), not now(): a hit that waited for the lock is judged when it gets its turn. The
      // CTE's delete is not visible to the count, hence the window condition there too.
      const [window] = (await manager.query(
        `WITH expired AS (
           DELETE FROM ingress.form_rate_limit_hits
           WHERE form_id = $1 AND client_ip = $2 AND hit_at <= clock_timestamp() - make_interval(secs => $3)
         )
         SELECT count(*)::int AS hits,
                ceil(extract(epoch FROM min(hit_at) + make_interval(secs => $3) - clock_timestamp()))::int
                  AS retry_after
         FROM ingress.form_rate_limit_hits
         WHERE form_id = $1 AND client_ip = $2 AND hit_at > clock_timestamp() - make_interval(secs => $3)`,
        [formId, clientIp, windowSeconds],
      )) as { hits: number; retry_after: number | null }[];
      if (window && window.hits >= limit) {
        const seconds = Math.min(windowSeconds, Math.max(1, window.retry_after ?? windowSeconds));
        return { allowed: false, retryAfterSeconds: seconds };
      }
      await manager.query(
        `INSERT INTO ingress.form_rate_limit_hits (id, form_id, client_ip, hit_at)
         VALUES ($1, $2, $3, clock_timestamp())`,
        [uuidv7(), formId, clientIp],
      );
      return { allowed: true };
    });
  }

  /** Hits of keys nobody used since they left the window (a key's own hits go when it is used again). */
  async deleteOutside(windowSeconds: number): Promise<number> {
    const rows = returnedRows(
      await this.dataSource.query(
        `DELETE FROM ingress.form_rate_limit_hits
         WHERE hit_at <= clock_timestamp() - make_interval(secs => $1) RETURNING 1`,
        [windowSeconds],
      ),
    );
    return rows.length;
  }
}
