import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { GuildRecords } from '../../src/storage/guild-records.js';
import { openStore, type OpenStoreOptions, type Store } from '../../src/storage/keyv-store.js';
import type { Layout } from '../../src/storage/layout.js';
import { snowflakeOnShard } from '../fakes/discord/snowflake.js';
import { PostgresDatabase } from '../harness/postgres-database.js';
import { hasRedisServer, RedisServer } from '../harness/redis-server.js';
import { job } from './storage-backends.js';

const log = pino({ level: 'silent' });
const single: Layout = { mode: 'single' };
const sharded = (shardCount: number): Layout => ({ mode: 'sharded', shardCount });

/** Each test gets a store of its own: the layout record and the owners `main` / `shard-<id>` are store-wide. */
const backends: { title: string; skip: boolean; start(): Promise<{ url: string; close(): Promise<void> }> }[] = [
  {
    title: 'SQLite',
    skip: false,
    start: () => Promise.resolve({ url: `sqlite://${join(mkdtempSync(join(tmpdir(), 'layout-')), 'bot.sqlite')}`, close: () => Promise.resolve() }),
  },
  {
    title: process.env.TEST_REDIS_URL && hasRedisServer ? 'Redis' : 'Redis (skipped: needs TEST_REDIS_URL and redis-server on PATH)',
    skip: !process.env.TEST_REDIS_URL || !hasRedisServer,
    start: () => RedisServer.start(),
  },
  {
    title: process.env.TEST_POSTGRES_URL ? 'PostgreSQL' : 'PostgreSQL (skipped: TEST_POSTGRES_URL is not set)',
    skip: !process.env.TEST_POSTGRES_URL,
    start: async () => {
      const db = await PostgresDatabase.create(process.env.TEST_POSTGRES_URL!, 'bot_layout');
      return { url: db.url, close: () => db.drop() };
    },
  },
];

/** Guilds on each shard of 2 and of 3 alike (ids chosen by `n`, so both formulas are exercised). */
const guilds = Array.from({ length: 6 }, (_, n) => snowflakeOnShard(n % 6, 6, n));
const jobIn = (id: string, guildId: string) => ({ ...job(id, 'running'), guildId });

for (const backend of backends) {
  describe.skipIf(backend.skip)(`store layout on ${backend.title}`, () => {
    let server: { url: string; close(): Promise<void> } | undefined;
    const open: Store[] = [];
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
      await server?.close();
      server = undefined;
    });
    const openAs = async (owner: string, layout: Layout, rehome: boolean, extra: OpenStoreOptions = {}) => {
      const store = await openStore(server!.url, log, { owner, layout: { wanted: layout, rehome }, ...extra });
      open.push(store);
      return store;
    };
    const close = async (store: Store) => {
      open.splice(open.indexOf(store), 1);
      await store.close();
    };
    const activeOf = async (owner: string, layout: Layout) => {
      const store = await openAs(owner, layout, false);
      const ids = (await store.listActiveJobs()).map((j) => j.id).sort();
      await close(store);
      return ids;
    };

    it('jobs of npm start are re-homed by guild to 2 shards, then 3, then back, each in exactly one index', async () => {
      server = await backend.start();
      const main = await openAs('main', single, true);
      for (const [n, guildId] of guilds.entries()) await main.saveJob(jobIn(`job-${n}`, guildId));
      const records = new GuildRecords(main);
      for (const guildId of guilds) await records.saveSettings(guildId, { ...(await records.loadSettings(guildId)) });
      await close(main);

      for (const count of [2, 3]) {
        await close(await openAs('manager', sharded(count), true));
        const seen: string[] = [];
        for (let shard = 0; shard < count; shard++) {
          const ids = await activeOf(`shard-${shard}`, sharded(count));
          const expected = guilds.flatMap((g, n) => (Number((BigInt(g) >> 22n) % BigInt(count)) === shard ? [`job-${n}`] : []));
          expect(ids).toEqual(expected.sort());
          seen.push(...ids);
          const store = await openAs(`shard-${shard}`, sharded(count), false);
          const owns = (id: string) => Number((BigInt(id) >> 22n) % BigInt(count)) === shard;
          expect((await new GuildRecords(store, `shard-${shard}`, owns).knownGuilds()).sort()).toEqual(guilds.filter(owns).sort());
          await close(store);
        }
        expect(seen.sort()).toEqual(guilds.map((_, n) => `job-${n}`).sort());
      }

      const back = await openAs('main', single, true, { lease: { onLost: () => undefined } });
      expect((await back.listActiveJobs()).map((j) => j.id).sort()).toEqual(guilds.map((_, n) => `job-${n}`).sort());
      expect((await new GuildRecords(back).knownGuilds()).sort()).toEqual([...guilds].sort());
    });

    it('a shard of another layout is refused, and a change is refused while an old shard still holds its lease', async () => {
      server = await backend.start();
      await close(await openAs('manager', sharded(2), true));
      await expect(openAs('shard-0', sharded(3), false)).rejects.toThrow(/is laid out for 2 shards, not 3 shards; start the shards with npm run start:sharded/);

      const live = await openAs('shard-1', sharded(2), false, { lease: { onLost: () => undefined } });
      await expect(openAs('manager', sharded(3), true)).rejects.toThrow(
        new RegExp(`from 2 shards to 3 shards: 'shard-1' still runs \\(pid ${process.pid} on host .*\\); stop every bot process on this store first`),
      );
      await live.saveJob(jobIn('kept', guilds[1]!));
      await close(live);
      // Refused, nothing changed: the layout is still 2 shards, and shard 1 still has its job.
      expect(await activeOf('shard-1', sharded(2))).toEqual(['kept']);
    });

    it('a change interrupted after the new owners got their jobs is finished by the next start, nothing twice', async () => {
      server = await backend.start();
      const main = await openAs('main', single, true);
      for (const [n, guildId] of guilds.entries()) await main.saveJob(jobIn(`job-${n}`, guildId));
      // As a crash mid-move leaves it: the record says a move to 2 shards is under way and shard-0 lists its jobs
      // (and one that is not its) while main still lists every job.
      await main.setMeta('layout', { mode: 'single', changing: sharded(2) });
      await close(main);
      await expect(openAs('shard-0', sharded(2), false)).rejects.toThrow(/is being moved to 2 shards/);
      const raw = await openStore(server.url, log, { owner: 'shard-0' });
      for (const n of [0, 1, 2]) await raw.saveJob(jobIn(`job-${n}`, guilds[n]!));
      await raw.close();

      await close(await openAs('manager', sharded(2), true));
      const zero = await activeOf('shard-0', sharded(2));
      const one = await activeOf('shard-1', sharded(2));
      expect([...zero, ...one].sort()).toEqual(guilds.map((_, n) => `job-${n}`).sort());
      expect(zero.filter((id) => one.includes(id))).toEqual([]);
      const leftover = await openStore(server.url, log, { owner: 'main' });
      expect(await leftover.listActiveJobs()).toEqual([]);
      await leftover.close();
    });
  });
}
