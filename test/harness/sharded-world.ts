import { afterEach } from 'vitest';
import { startFakeDiscord, snowflakeOnShard, type FakeDiscord, type FakeGuild } from '../fakes/discord/fake-discord.js';
import { startFakeReplicate, type FakeReplicate } from '../fakes/replicate/fake-replicate.js';
import { spawnBot, waitUntil, type BotProcess, type LogEntry } from './bot-process.js';
import { hasRedisServer, RedisServer } from './redis-server.js';

/**
 * `npm run start:sharded` against the stand-ins (in the test process, on the system clock) and a store every
 * process shares (Redis or PostgreSQL, given by the test). The fake Discord holds one guild per shard of
 * `shardCount`, each with one channel; the manager and its shards run as child processes.
 */
export class ShardedWorld {
  readonly processes: BotProcess[] = [];

  private constructor(
    readonly discord: FakeDiscord,
    readonly replicate: FakeReplicate,
    readonly storageUrl: string,
    readonly shardCount: number,
  ) {}

  static async start(options: { storageUrl: string; shardCount: number; recommendedShards?: number }): Promise<ShardedWorld> {
    const guilds: FakeGuild[] = Array.from({ length: options.shardCount }, (_, shard) => ({
      id: snowflakeOnShard(shard, options.shardCount, 1),
      name: `guild on shard ${shard}`,
      channels: [{ id: snowflakeOnShard(0, 1, 50 + shard), name: 'general' }],
    }));
    const discord = await startFakeDiscord({ guilds, recommendedShards: options.recommendedShards ?? 1 });
    const replicate = await startFakeReplicate();
    return new ShardedWorld(discord, replicate, options.storageUrl, options.shardCount);
  }

  /** The fake guild that shard `id` serves. */
  guildOf(shard: number): FakeGuild {
    return this.discord.guilds[shard]!;
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      DISCORD_TOKEN: this.discord.botToken,
      REPLICATE_API_TOKEN: this.replicate.token,
      DISCORD_API_URL: this.discord.apiUrl,
      REPLICATE_API_URL: this.replicate.baseUrl,
      STORAGE_URL: this.storageUrl,
      REPLICATE_POLL_INTERVAL_MS: '20',
      QUOTA_DEFAULT_SECONDS: 'unlimited',
      LOG_LEVEL: 'debug',
      SHARD_COUNT: String(this.shardCount),
      ...extra,
    };
  }

  /** Starts the manager and waits until every shard it runs logged `bot ready`. */
  async startManager(extra: Record<string, string> = {}, shards = this.shardCount): Promise<BotProcess> {
    const manager = spawnBot(this.env(extra), 'src/sharded.ts');
    this.processes.push(manager);
    await manager.waitForLog('every shard ready', { timeoutMs: 60_000 });
    await waitUntil(() => readyShards(manager).size >= shards, { description: 'every shard logged bot ready', timeoutMs: 30_000 });
    return manager;
  }

  /** Starts one shard process directly, as the manager would (SHARDS and SHARD_COUNT in its environment). */
  spawnShard(shard: number, extra: Record<string, string> = {}): BotProcess {
    const child = spawnBot(this.env({ SHARDS: String(shard), ...extra }));
    this.processes.push(child);
    return child;
  }

  async close(): Promise<void> {
    // The manager first: its shards see the IPC channel close and stop themselves; any left are killed by pid.
    const pids = this.processes.flatMap((p) => p.entries()).map((e) => e.pid).filter((pid): pid is number => typeof pid === 'number');
    await Promise.all(this.processes.map((p) => p.kill('SIGKILL')));
    for (const pid of new Set(pids)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await this.discord.close();
    await this.replicate.close();
  }
}

/** Shard id → pid of its latest `bot ready` line in the manager's output. */
export function readyShards(manager: BotProcess): Map<number, number> {
  const ready = new Map<number, number>();
  for (const entry of manager.find('bot ready')) ready.set(entry.shard as number, entry.pid as number);
  return ready;
}

/** The manager's log lines written by shard `id`. */
export function linesOf(manager: BotProcess, shard: number, msg?: string): LogEntry[] {
  return manager.entries().filter((e) => e.shard === shard && (msg === undefined || e.msg === msg));
}

/** Whether the sharded scenarios on Redis can run here (CI sets TEST_REDIS_URL and installs redis-server). */
export const shardedOnRedisRuns = Boolean(process.env.TEST_REDIS_URL) && hasRedisServer;

/**
 * For one describe block: each test starts its own redis-server and a ShardedWorld on it; both are closed after the
 * test, whatever it left running.
 */
export function useShardedWorldOnRedis(): (options: { shardCount: number; recommendedShards?: number }) => Promise<ShardedWorld> {
  let redis: RedisServer | undefined;
  let world: ShardedWorld | undefined;
  afterEach(async () => {
    await world?.close();
    await redis?.close();
    world = undefined;
    redis = undefined;
  });
  return async (options) => {
    redis = await RedisServer.start();
    world = await ShardedWorld.start({ storageUrl: redis.url, ...options });
    return world;
  };
}
