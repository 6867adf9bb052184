import type { World } from './world.js';

/** Every value a world's SQLite store holds, as text: what a privacy request must leave no prompt in. */
export async function storedValues(w: World): Promise<string[]> {
  const path = w.config.storageUrl.slice('sqlite://'.length);
  const { default: sqlite3 } = await import('sqlite3');
  const db = new sqlite3.Database(path, sqlite3.OPEN_READONLY);
  try {
    return await new Promise<string[]>((resolve, reject) =>
      db.all('SELECT value FROM keyv', (err, rows: { value: string }[]) => (err ? reject(err) : resolve(rows.map((r) => r.value)))),
    );
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}
