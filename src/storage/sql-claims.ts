import type { ClaimStore } from './claims.js';
import type { SqlQuery } from './sql-lease.js';

const table = 'bot_claim';

export const createClaimTable = [
  `CREATE TABLE IF NOT EXISTS ${table} (key VARCHAR(255) PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS ${table}_expires ON ${table} (expires_at)`,
];

/**
 * The claim is one statement, so it is atomic on SQLite (one writer at a time) and PostgreSQL (a conflicting
 * insert waits for the row's lock, then re-checks the WHERE on the row as committed): the row is written only when
 * it is new, expired or already the holder's; RETURNING tells whether it was.
 */
const claim = `INSERT INTO ${table} (key, holder, expires_at) VALUES ($1, $2, $3)
  ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
  WHERE ${table}.expires_at <= $4 OR ${table}.holder = excluded.holder
  RETURNING holder`;

/** Expired rows are dropped this often (per process), by the first claim after. */
const pruneEveryMs = 60 * 60_000;

export async function createClaimTableOn(query: SqlQuery): Promise<void> {
  for (const sql of createClaimTable) {
    try {
      await query(sql, []);
    } catch (err) {
      // Two processes creating the table or index at once (PostgreSQL): the loser's violation means it exists.
      const code = (err as { code?: string }).code;
      if (code !== '23505' && code !== '42P07') throw err;
    }
  }
}

export function sqlClaims(query: SqlQuery): ClaimStore {
  let prunedAt = 0;
  return {
    async claim({ key, holder, ttlMs, now }) {
      if (now - prunedAt >= pruneEveryMs) {
        prunedAt = now;
        await query(`DELETE FROM ${table} WHERE expires_at <= $1`, [now]);
      }
      for (let attempt = 0; ; attempt++) {
        const won = await query(claim, [key, holder, now + ttlMs, now]);
        if (won.length > 0) return holder;
        const rows = await query(`SELECT holder FROM ${table} WHERE key = $1`, [key]);
        // Released between the two statements: claim again (it is free now).
        if (rows[0]) return String(rows[0].holder);
        if (attempt >= 3) throw new Error(`the claim '${key}' changes hands too fast to be taken`);
      }
    },
    async release(key, holder) {
      await query(`DELETE FROM ${table} WHERE key = $1 AND holder = $2`, [key, holder]);
    },
  };
}
