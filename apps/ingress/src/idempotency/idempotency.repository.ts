import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { uuidv7 } from '@rocketlead/contracts';
import { returnedRows } from '@rocketlead/persistence';

export const KEY_TTL_HOURS = 24;
// A pending key whose request never finished (a crash) may be taken over after this long.
const PENDING_LEASE_SECONDS = 30;

export interface KeyRecord {
  requestHash: Buffer;
  reservationId: string;
  state: 'pending' | 'completed';
  responseStatus: number | null;
  responseBody: unknown;
  leaseExpired: boolean;
}

/** Keys belong to one credential (API token or ingress webhook) of one organization. */
export interface KeyScope {
  organizationId: string;
  credentialId: string;
}

export type Reservation =
  { acquired: true; reservationId: string } | { acquired: false; existing: KeyRecord };

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

@Injectable()
export class IdempotencyRepository {
  constructor(private readonly dataSource: DataSource) {}

  fingerprint(route: string, body: unknown): Buffer {
    return createHash('sha256')
      .update(route)
      .update('\n')
      .update(JSON.stringify(canonical(body)) ?? '')
      .digest();
  }

  /**
   * Claims the key for this request, or reports the request that holds it. An expired key is
   * replaced (new reservation); a pending key whose lease ran out is taken over (same reservation).
   */
  async reserve(scope: KeyScope, key: string, requestHash: Buffer): Promise<Reservation> {
    const reservationId = uuidv7();
    const rows = (await this.dataSource.query(
      `INSERT INTO ingress.idempotency_keys
         (organization_id, credential_id, key, request_hash, reservation_id, state, locked_until, expires_at)
       VALUES ($1, $5, $2, $3, $4, 'pending', now() + make_interval(secs => ${PENDING_LEASE_SECONDS}), now() + interval '${KEY_TTL_HOURS} hours')
       ON CONFLICT (organization_id, credential_id, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, reservation_id = EXCLUDED.reservation_id, state = 'pending',
             response_status = NULL, response_body = NULL, created_at = now(),
             locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at
         WHERE ingress.idempotency_keys.expires_at < now()
       RETURNING reservation_id`,
      [scope.organizationId, key, requestHash, reservationId, scope.credentialId],
    )) as { reservation_id: string }[];
    if (rows.length) return { acquired: true, reservationId: rows[0]!.reservation_id };
    const existing = await this.find(scope, key);
    if (!existing) return this.reserve(scope, key, requestHash); // expired and deleted meanwhile
    return { acquired: false, existing };
  }

  /** Takes over a pending key whose lease expired; true when this caller won it. */
  async takeOver(scope: KeyScope, key: string, reservationId: string): Promise<boolean> {
    const result = returnedRows(
      await this.dataSource.query(
        `UPDATE ingress.idempotency_keys SET locked_until = now() + make_interval(secs => ${PENDING_LEASE_SECONDS})
       WHERE organization_id = $1 AND credential_id = $4 AND key = $2 AND reservation_id = $3 AND state = 'pending' AND locked_until < now()
       RETURNING 1`,
        [scope.organizationId, key, reservationId, scope.credentialId],
      ),
    );
    return result.length > 0;
  }

  async complete(scope: KeyScope, key: string, status: number, body: unknown): Promise<void> {
    await this.dataSource.query(
      `UPDATE ingress.idempotency_keys SET state = 'completed', response_status = $3, response_body = $4::jsonb
       WHERE organization_id = $1 AND credential_id = $5 AND key = $2`,
      [scope.organizationId, key, status, JSON.stringify(body), scope.credentialId],
    );
  }

  /** Frees the key after a failure the client should be able to retry (5xx). */
  async release(scope: KeyScope, key: string, reservationId: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM ingress.idempotency_keys
       WHERE organization_id = $1 AND credential_id = $4 AND key = $2 AND reservation_id = $3 AND state = 'pending'`,
      [scope.organizationId, key, reservationId, scope.credentialId],
    );
  }

  async deleteExpired(): Promise<number> {
    const rows = returnedRows(
      await this.dataSource.query(
        `DELETE FROM ingress.idempotency_keys WHERE expires_at < now() RETURNING 1`,
      ),
    );
    return rows.length;
  }

  private async find(scope: KeyScope, key: string): Promise<KeyRecord | null> {
    const rows = (await this.dataSource.query(
      `SELECT request_hash, reservation_id, state, response_status, response_body, locked_until < now() AS lease_expired
       FROM ingress.idempotency_keys WHERE organization_id = $1 AND credential_id = $3 AND key = $2`,
      [scope.organizationId, key, scope.credentialId],
    )) as {
      request_hash: Buffer;
      reservation_id: string;
      state: 'pending' | 'completed';
      response_status: number | null;
      response_body: unknown;
      lease_expired: boolean;
    }[];
    const row = rows[0];
    return row
      ? {
          requestHash: row.request_hash,
          reservationId: row.reservation_id,
          state: row.state,
          responseStatus: row.response_status,
          responseBody: row.response_body,
          leaseExpired: row.lease_expired,
        }
      : null;
  }
}
