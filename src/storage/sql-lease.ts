import type { LeaseClaim, LeaseHolder, LeaseState } from './backend.js';

/** Runs one statement with positional parameters `$1…$n` and answers its rows (SQLite and PostgreSQL alike). */
export type SqlQuery = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

const table = 'bot_lease';

export const createLeaseTable = `CREATE TABLE IF NOT EXISTS ${table} (
  owner VARCHAR(255) PRIMARY KEY, holder TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, expires_at BIGINT NOT NULL)`;

/**
 * The claim is one statement, so it is atomic on both databases: the row is written only when it is new, expired,
 * already ours, or held by the holder proven dead; RETURNING tells whether it was.
 */
const claim = `INSERT INTO ${table} (owner, holder, host, pid, expires_at) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (owner) DO UPDATE SET holder = excluded.holder, host = excluded.host, pid = excluded.pid,
    expires_at = excluded.expires_at
  WHERE ${table}.expires_at <= $6 OR ${table}.holder = excluded.holder OR ${table}.holder = $7
  RETURNING holder`;

export async function claimSqlLease(query: SqlQuery, { owner, me, ttlMs, now, replacing }: LeaseClaim): Promise<LeaseState> {
  for (let attempt = 0; ; attempt++) {
    const won = await query(claim, [owner, me.holder, me.host, me.pid, now + ttlMs, now, replacing?.holder ?? '']);
    if (won.length > 0) return { holder: me, expiresInMs: ttlMs };
    const rows = await query(`SELECT holder, host, pid, expires_at FROM ${table} WHERE owner = $1`, [owner]);
    const row = rows[0];
    // Released between the two statements: claim again (it is free now).
    if (!row && attempt < 3) continue;
    if (!row) throw new Error(`the lease for '${owner}' changes hands too fast to be claimed`);
    const holder: LeaseHolder = { holder: String(row.holder), host: String(row.host), pid: Number(row.pid) };
    return { holder, expiresInMs: Math.max(0, Number(row.expires_at) - now) };
  }
}

export async function releaseSqlLease(query: SqlQuery, owner: string, me: LeaseHolder): Promise<void> {
  await query(`DELETE FROM ${table} WHERE owner = $1 AND holder = $2`, [owner, me.holder]);
}
