import type { FencedWrites } from './fenced-adapter.js';
import { sqlLeaseToken, type SqlDialect, type SqlQuery } from './sql-lease.js';

/**
 * keyv's rows written only while no lease grant later than the fence's exists, each in one statement. SQLite runs
 * one writer at a time, so the check and the write are one step; PostgreSQL's FOR SHARE holds the lease row until
 * the write commits, so a claim waits for it, and a write that waited for a claim re-reads the new token.
 */
export function sqlFencedWrites(query: SqlQuery, dialect: SqlDialect, table: string): FencedWrites {
  const lock = dialect === 'postgres' ? 'FOR SHARE' : '';
  const current = `SELECT 1 FROM bot_lease WHERE owner = $1 AND token <= $2 ${lock}`;
  const among = dialect === 'postgres' ? 'key = ANY($3)' : 'key IN (SELECT value FROM json_each($3))';
  return {
    async set(fence, key, value) {
      const rows = await query(
        `INSERT INTO ${table} (key, value) SELECT $3, $4 WHERE EXISTS (${current})
         ON CONFLICT (key) DO UPDATE SET value = excluded.value RETURNING key`,
        [fence.owner, fence.token, key, value],
      );
      return rows.length > 0;
    },
    async delete(fence, keys) {
      const rows = await query(`DELETE FROM ${table} WHERE ${among} AND EXISTS (${current}) RETURNING key`, [
        fence.owner,
        fence.token,
        dialect === 'postgres' ? keys : JSON.stringify(keys),
      ]);
      if (rows.length > 0) return true;
      // Nothing deleted: nothing there, or refused (told apart afterwards; only the answer depends on it).
      return (await sqlLeaseToken(query, fence.owner)) > fence.token ? 'fenced' : false;
    },
  };
}
