/**
 * The bot as several shard processes against the stand-ins (bench/ack-shard-process.ts each), sharing one SQLite
 * file, laid out first for the shard count as `npm run start:sharded`'s manager does before it spawns any shard.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../src/logger.js';
import { openStore } from '../../src/storage/keyv-store.js';
import type { ShardArrival, ShardReading } from '../ack-shard-process.js';
import type { FakeEndpoints } from './fake-world.js';
import { forkIpcChild, type IpcChild } from './ipc-child.js';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'ack-shard-process.ts');

export interface ShardBot {
  readonly shard: number;
  readonly pid: number;
  begin(): Promise<ShardReading>;
  end(): Promise<ShardReading>;
  reading(): Promise<ShardReading>;
  arrivals(): Promise<ShardArrival[]>;
  log(): Promise<{ lines: number; sample: string[] }>;
}

export interface ShardBots {
  readonly shards: ShardBot[];
  readonly storageUrl: string;
  /** Kills every shard (no graceful stop: it would wait for every pending store write) and removes the store. */
  abandon(): Promise<void>;
}

export async function startShardBots(endpoints: FakeEndpoints, count: number, env: Record<string, string>): Promise<ShardBots> {
  const dir = mkdtempSync(join(tmpdir(), 'bot-bench-shards-'));
  const storageUrl = `sqlite://${join(dir, 'bot.sqlite')}`;
  const log = createLogger({ level: 'warn', secrets: [endpoints.discordToken, endpoints.replicateToken] });
  const store = await openStore(storageUrl, log, {
    owner: 'manager',
    layout: { wanted: { mode: 'sharded', shardCount: count }, rehome: true },
  });
  await store.close();
  const children: IpcChild[] = [];
  const abandon = async () => {
    await Promise.all(children.map((c) => c.kill()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Side by side, as the manager spawns them when Discord's max_concurrency allows (the fake's does).
    const shards = await Promise.all(
      Array.from({ length: count }, async (_, shard): Promise<ShardBot> => {
        const child = await forkIpcChild(entry);
        children.push(child);
        await child.call('start', endpoints, { ...env, STORAGE_URL: storageUrl, SHARDS: String(shard), SHARD_COUNT: String(count) });
        return {
          shard,
          pid: child.pid,
          begin: () => child.call('begin'),
          end: () => child.call('end'),
          reading: () => child.call('reading'),
          arrivals: () => child.call('arrivals'),
          log: () => child.call('log'),
        };
      }),
    );
    return { shards, storageUrl, abandon };
  } catch (err) {
    await abandon();
    throw err;
  }
}
