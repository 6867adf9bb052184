import type { LeaseClaim, LeaseHolder, LeaseState } from './backend.js';

/** Runs one statement with positional parameters `$1…$n` and answers its rows (SQLite and PostgreSQL alike). */
export type SqlQuery = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

export type SqlDialect = 'sqlite' | 'postgres';

/**
 * The store's own time in epoch ms, as an SQL expression: leases expire by it, never by a claimer's clock (one
 * running ahead would take a live lease). SQLite's is the clock of the machine the file is on.
 */
export function storeNowSql(dialect: SqlDialect): string {
  return dialect === 'postgres'
    ? 'CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)'
    : "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
}

const table = 'bot_lease';

/**
 * A released or expired lease keeps its row: `token` only ever grows, so a holder that lost the lease can never
 * hold the current token again.
 */
export const createLeaseTable = `CREATE TABLE IF NOT EXISTS ${table} (
  owner VARCHAR(255) PRIMARY KEY, holder TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, expires_at BIGINT NOT NULL,
  token BIGINT NOT NULL DEFAULT 0)`;

/** Creates the table, and adds `token` to one made before fencing (a concurrent creator's error means it exists). */
export async function createLeaseTableOn(query: SqlQuery, dialect: SqlDialect): Promise<void> {
  await query(createLeaseTable, []);
  const ifMissing = dialect === 'postgres' ? 'IF NOT EXISTS ' : '';
  try {
    await query(`ALTER TABLE ${table} ADD COLUMN ${ifMissing}token BIGINT NOT NULL DEFAULT 0`, []);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (!/duplicate column/i.test((err as Error).message) && code !== '42701' && code !== '23505') throw err;
  }
}

/**
 * The claim is one statement, so it is atomic on both databases: the row is written only when it is new, expired,
 * already ours, or held by the holder proven dead; a new holder gets the next token. RETURNING tells whether it was.
 */
const claim = (now: string) => `INSERT INTO ${table} (owner, holder, host, pid, expires_at, token)
  VALUES ($1, $2, $3, $4, ${now} + $5, 1)
  ON CONFLICT (owner) DO UPDATE SET holder = excluded.holder, host = excluded.host, pid = excluded.pid,
    expires_at = excluded.expires_at,
    token = CASE WHEN ${table}.holder = excluded.holder THEN ${table}.token ELSE ${table}.token + 1 END
  WHERE ${table}.expires_at <= ${now} OR ${table}.holder = excluded.holder OR ${table}.holder = $6
  RETURNING token`;

export async function claimSqlLease(
  query: SqlQuery,
  dialect: SqlDialect,
  { owner, me, ttlMs, replacing }: LeaseClaim,
): Promise<LeaseState> {
  const now = storeNowSql(dialect);
  for (let attempt = 0; ; attempt++) {
    const won = await query(claim(now), [owner, me.holder, me.host, me.pid, ttlMs, replacing?.holder ?? '']);
    if (won.length > 0) return { holder: me, expiresInMs: ttlMs, token: Number(won[0]!.token) };
    const rows = await query(`SELECT holder, host, pid, expires_at - ${now} AS left_ms FROM ${table} WHERE owner = $1`, [owner]);
    const row = rows[0];
    // Released between the two statements: claim again (it is free now).
    if (!row && attempt < 3) continue;
    if (!row) throw new Error(`the lease for '${owner}' changes hands too fast to be claimed`);
    const holder: LeaseHolder = { holder: String(row.holder), host: String(row.host), pid: Number(row.pid) };
    return { holder, expiresInMs: Math.max(0, Number(row.left_ms)) };
  }
}

/** Ends the lease now if `me` holds it; the row (and its token) stays. */
export async function releaseSqlLease(query: SqlQuery, owner: string, me: LeaseHolder): Promise<void> {
  await query(`UPDATE ${table} SET expires_at = 0 WHERE owner = $1 AND holder = $2`, [owner, me.holder]);
}

/** The owner's current token (0 when never granted). */
export async function sqlLeaseToken(query: SqlQuery, owner: string): Promise<number> {
  const rows = await query(`SELECT token FROM ${table} WHERE owner = $1`, [owner]);
  return Number(rows[0]?.token ?? 0);
}
