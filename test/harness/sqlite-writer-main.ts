/**
 * A child process for the SQLite-across-processes test: opens the store at STORE_URL as OWNER (with its lease), as
 * a shard does, and writes JOBS job records, then its meta key, as fast as it can. Exits 0 when every write landed,
 * 1 with the error on stderr otherwise.
 */
import pino from 'pino';
import { openStore } from '../../src/storage/keyv-store.js';
import { job } from '../unit/storage-backends.js';

const owner = process.env.OWNER!;
const count = Number(process.env.JOBS);
const store = await openStore(process.env.STORE_URL!, pino({ level: 'silent' }), { owner, lease: { onLost: () => process.exit(3) } });
try {
  await Promise.all(Array.from({ length: count }, (_, i) => store.saveJob(job(`${owner}-${i}`, 'queued', i))));
  for (let i = 0; i < count; i += 10) await store.saveJob(job(`${owner}-${i}`, 'done', i));
  await store.setMeta(`written:${owner}`, count);
  await store.close();
  process.exit(0);
} catch (err) {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
}
