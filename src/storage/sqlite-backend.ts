import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { KeyvStoreAdapter } from 'keyv';
import type { Backend } from './backend.js';
import { fencedAdapter } from './fenced-adapter.js';
import { sqlFencedWrites } from './sql-fenced-writes.js';
import { StoreError } from './store-error.js';
import { createClaimTableOn, sqlClaims } from './sql-claims.js';
import { createSlotTablesOn, sqlSlots, takeSqlTokens } from './sql-slots.js';
import { claimSqlLease, createLeaseTableOn, releaseSqlLease, type SqlQuery } from './sql-lease.js';

/** `sqlite://path`: one file, one process writing it (the lease keeps a second one out). */
export async function openSqliteBackend(url: string, namespace: string): Promise<Backend> {
  const path = url.slice('sqlite://'.length);
  if (path === '') throw new StoreError('STORAGE_URL sqlite:// needs a file path, e.g. sqlite://data/bot.sqlite');
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const { default: KeyvSqlite } = await import('@keyv/sqlite');
  const sqlite = new KeyvSqlite({ uri: url, busyTimeout: 5000 });
  // Failures reach the caller as rejections; an EventEmitter without a listener would throw them a second time.
  sqlite.on('error', () => undefined);
  // `$n` placeholders become SQLite's `?n`, which bind by number.
  const query: SqlQuery = (sql, params) =>
    sqlite.query(sql.replace(/\$(\d+)/g, '?$1'), params) as Promise<Record<string, unknown>[]>;
  try {
    if (path !== ':memory:') {
      // A write-ahead log survives a killed process (kill -9) and lets a burst of accepted jobs be written at once
      // instead of one disk flush each; only a power cut can lose the last writes.
      await sqlite.query('PRAGMA journal_mode=WAL');
      await sqlite.query('PRAGMA synchronous=NORMAL');
    }
    await createLeaseTableOn(query, 'sqlite');
    await createSlotTablesOn(query);
    await createClaimTableOn(query);
  } catch (err) {
    await sqlite.disconnect().catch(() => undefined);
    throw err;
  }
  const adapter = sqlite as unknown as KeyvStoreAdapter;
  const writes = sqlFencedWrites(query, 'sqlite', 'keyv');
  return {
    where: url,
    adapter,
    claimLease: (claim) => claimSqlLease(query, 'sqlite', claim),
    releaseLease: (owner, me) => releaseSqlLease(query, owner, me),
    fenced: (fence) => fencedAdapter(adapter, fence, writes),
    slots: sqlSlots(query, 'sqlite'),
    claims: sqlClaims(query),
    takeTokens: (take) => takeSqlTokens(query, take),
    async pruneExpired(now) {
      const rows = await query(
        `DELETE FROM keyv WHERE CASE WHEN key LIKE $1 AND json_valid(value)
           THEN json_extract(value, '$.expires') <= $2 ELSE 0 END RETURNING key`,
        [`${namespace}:%`, now],
      );
      return rows.length;
    },
    checkSettings: () => Promise.resolve([]),
    close: () => sqlite.disconnect(),
  };
}
