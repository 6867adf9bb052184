import { grantedOf, type SlotStore, type TokenTake } from './backend.js';
import type { SqlDialect, SqlQuery } from './sql-lease.js';

/**
 * Prediction slots and request budgets on SQLite and PostgreSQL. Every change is one statement, so it is atomic on
 * both: SQLite runs one writer at a time across every process on the file (its lock; a busy one waits), and
 * PostgreSQL re-checks a row's `expires_at` after waiting for its lock, and skips rows another claimer holds.
 */
export const createSlotTables = [
  `CREATE TABLE IF NOT EXISTS bot_slot (pool VARCHAR(255) NOT NULL, slot INTEGER NOT NULL, holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL, PRIMARY KEY (pool, slot))`,
  `CREATE TABLE IF NOT EXISTS bot_slot_demand (pool VARCHAR(255) NOT NULL, holder VARCHAR(255) NOT NULL,
    want INTEGER NOT NULL, held INTEGER NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (pool, holder))`,
  `CREATE TABLE IF NOT EXISTS bot_budget (bucket VARCHAR(255) NOT NULL, win BIGINT NOT NULL, used INTEGER NOT NULL,
    PRIMARY KEY (bucket, win))`,
];

export type { SqlDialect };

/** Creates the slot and budget tables; a concurrent creator's unique violation (PostgreSQL) means they exist. */
export async function createSlotTablesOn(query: SqlQuery): Promise<void> {
  for (const sql of createSlotTables) {
    try {
      await query(sql, []);
    } catch (err) {
      if ((err as { code?: string }).code !== '23505') throw err;
    }
  }
}

export function sqlSlots(query: SqlQuery, dialect: SqlDialect): SlotStore {
  /** Pools whose rows 0…cap-1 exist (created once per process; a larger cap adds rows). */
  const made = new Map<string, number>();
  const skipLocked = dialect === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
  const ensureRows = async (pool: string, cap: number) => {
    if ((made.get(pool) ?? 0) >= cap) return;
    await query(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < CAST($2 AS INTEGER))
       INSERT INTO bot_slot (pool, slot, holder, expires_at) SELECT CAST($1 AS VARCHAR(255)), i, '', 0 FROM n WHERE true
       ON CONFLICT (pool, slot) DO NOTHING`,
      [pool, cap],
    );
    made.set(pool, cap);
  };
  const numbers = (rows: Record<string, unknown>[]) => rows.map((row) => Number(row.slot)).sort((a, b) => a - b);

  return {
    async take({ pool, holder, cap, ttlMs, now, count }) {
      if (count <= 0) return [];
      await ensureRows(pool, cap);
      // The outer `expires_at <= $5` is checked again on the row as it is after a concurrent claim committed.
      const rows = await query(
        `UPDATE bot_slot SET holder = $2, expires_at = $3
         WHERE pool = $1 AND expires_at <= $5 AND slot IN (
           SELECT slot FROM bot_slot WHERE pool = $1 AND slot < $4 AND expires_at <= $5 ORDER BY slot LIMIT $6 ${skipLocked})
         RETURNING slot`,
        [pool, holder, now + ttlMs, cap, now, count],
      );
      return numbers(rows);
    },

    async renew({ pool, holder, cap, ttlMs, now }) {
      const rows = await query(
        'UPDATE bot_slot SET expires_at = $3 WHERE pool = $1 AND holder = $2 AND slot < $4 RETURNING slot',
        [pool, holder, now + ttlMs, cap],
      );
      return numbers(rows);
    },

    async release(pool, holder, slots) {
      if (slots.length === 0) return;
      const list = slots.map((_, i) => `$${i + 3}`).join(', ');
      await query(`UPDATE bot_slot SET holder = '', expires_at = 0 WHERE pool = $1 AND holder = $2 AND slot IN (${list})`, [
        pool,
        holder,
        ...slots,
      ]);
    },

    async reportDemand({ pool, holder, want, held, ttlMs, now }) {
      await query(
        `INSERT INTO bot_slot_demand (pool, holder, want, held, expires_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (pool, holder) DO UPDATE SET want = excluded.want, held = excluded.held, expires_at = excluded.expires_at`,
        [pool, holder, want, held, now + ttlMs],
      );
      await query('DELETE FROM bot_slot_demand WHERE pool = $1 AND expires_at <= $2', [pool, now]);
      const rows = await query('SELECT holder, want, held FROM bot_slot_demand WHERE pool = $1', [pool]);
      return rows.map((row) => ({ holder: String(row.holder), want: Number(row.want), held: Number(row.held) }));
    },
  };
}

/** One upsert adds `count` to the window's counter and answers the sum: what it held before decides the grant. */
export async function takeSqlTokens(query: SqlQuery, { bucket, window, count, limit }: TokenTake): Promise<number> {
  if (count <= 0) return 0;
  const rows = await query(
    `INSERT INTO bot_budget (bucket, win, used) VALUES ($1, $2, $3)
     ON CONFLICT (bucket, win) DO UPDATE SET used = bot_budget.used + excluded.used RETURNING used`,
    [bucket, window, count],
  );
  const used = Number(rows[0]?.used ?? count);
  // The window's first taker clears the bucket's past windows.
  if (used === count) await query('DELETE FROM bot_budget WHERE bucket = $1 AND win < $2', [bucket, window]);
  return grantedOf(used, count, limit);
}
