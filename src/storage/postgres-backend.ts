import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter } from 'keyv';
import type { Logger } from 'pino';
import type { Backend } from './backend.js';
import { createClaimTableOn, sqlClaims } from './sql-claims.js';
import { fencedAdapter } from './fenced-adapter.js';
import { sqlFencedWrites } from './sql-fenced-writes.js';
import { createSlotTablesOn, sqlSlots, takeSqlTokens } from './sql-slots.js';
import { claimSqlLease, createLeaseTableOn, releaseSqlLease, type SqlQuery } from './sql-lease.js';
import { describeStoreError } from './store-error.js';

export interface PostgresTimings {
  /** Longest wait for one statement (pg's client-side `query_timeout`). */
  commandTimeoutMs: number;
  connectTimeoutMs: number;
}

/** The table @keyv/postgres uses, so a database written by it reads unchanged. */
const table = 'public.keyv';

/**
 * `postgresql://…`: a keyv adapter on a pg.Pool of this store's own. @keyv/postgres keeps one module-wide pool with
 * no `error` listener: a server restart then crashes the process (an idle connection's error is emitted with nobody
 * listening), and closing one store ends every other store's pool. Same table and row format as @keyv/postgres.
 */
export async function openPostgresBackend(
  url: string,
  namespace: string,
  log: Logger,
  timings: PostgresTimings,
  where: string,
): Promise<Backend> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: timings.connectTimeoutMs,
    query_timeout: timings.commandTimeoutMs,
  });
  let down = false;
  // An idle connection the server closed: the pool drops it and the next query opens a new one.
  pool.on('error', (err) => {
    if (down) return;
    down = true;
    log.warn({ store: where, reason: describeStoreError(err) }, 'store connection lost; reconnecting');
  });
  const query: SqlQuery = async (sql, params) => {
    const result = await pool.query(sql, params);
    if (down) {
      down = false;
      log.info({ store: where }, 'store connection back');
    }
    return result.rows as Record<string, unknown>[];
  };
  try {
    await query(`CREATE TABLE IF NOT EXISTS ${table} (key VARCHAR(255) PRIMARY KEY, value TEXT)`, []);
    await createLeaseTableOn(query, 'postgres');
    await createSlotTablesOn(query);
    await createClaimTableOn(query);
  } catch (err) {
    // Two processes creating the table at once: one of them loses with a unique violation, and the table exists.
    if ((err as { code?: string }).code !== '23505') {
      await pool.end().catch(() => undefined);
      throw err;
    }
  }
  const adapter = new PostgresAdapter(query, url) as unknown as KeyvStoreAdapter;
  const writes = sqlFencedWrites(query, 'postgres', table);
  return {
    where,
    adapter,
    claimLease: (claim) => claimSqlLease(query, 'postgres', claim),
    releaseLease: (owner, me) => releaseSqlLease(query, owner, me),
    fenced: (fence) => fencedAdapter(adapter, fence, writes),
    slots: sqlSlots(query, 'postgres'),
    claims: sqlClaims(query),
    takeTokens: (take) => takeSqlTokens(query, take),
    async pruneExpired(now) {
      const rows = await query(
        // CASE fixes the order: only this namespace's rows with an expiry are parsed (the table may be shared).
        `DELETE FROM ${table} WHERE CASE WHEN key LIKE $1 AND value LIKE '%"expires":%'
           THEN (value::jsonb ->> 'expires')::bigint <= $2 ELSE false END RETURNING key`,
        [`${namespace}:%`, now],
      );
      return rows.length;
    },
    checkSettings: () => Promise.resolve([]),
    close: () => pool.end(),
  };
}

/** keyv's storage contract over one table; every failure rejects. */
class PostgresAdapter extends EventEmitter {
  namespace?: string;
  readonly opts: { dialect: string; url: string };

  constructor(
    private readonly query: SqlQuery,
    url: string,
  ) {
    super();
    this.opts = { dialect: 'postgres', url };
  }

  async get(key: string): Promise<string | undefined> {
    const rows = await this.query(`SELECT value FROM ${table} WHERE key = $1`, [key]);
    return rows[0]?.value as string | undefined;
  }

  async getMany(keys: string[]): Promise<(string | undefined)[]> {
    const rows = await this.query(`SELECT key, value FROM ${table} WHERE key = ANY($1)`, [keys]);
    const byKey = new Map(rows.map((row) => [row.key as string, row.value as string]));
    return keys.map((key) => byKey.get(key));
  }

  async set(key: string, value: string): Promise<void> {
    await this.query(
      `INSERT INTO ${table} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [key, value],
    );
  }

  async delete(key: string): Promise<boolean> {
    return (await this.query(`DELETE FROM ${table} WHERE key = $1 RETURNING key`, [key])).length > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    return (await this.query(`DELETE FROM ${table} WHERE key = ANY($1) RETURNING key`, [keys])).length > 0;
  }

  async has(key: string): Promise<boolean> {
    return (await this.query(`SELECT 1 FROM ${table} WHERE key = $1`, [key])).length > 0;
  }

  async clear(): Promise<void> {
    await this.query(`DELETE FROM ${table} WHERE key LIKE $1`, [this.namespace ? `${this.namespace}:%` : '%']);
  }

  /** The pool belongs to the backend, which ends it on close. */
  async disconnect(): Promise<void> {}
}
