import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { spawnDelayMs } from '../../src/sharding/gateway-bot.js';
import { ownerOf, ownsGuild, shardIdForGuild } from '../../src/sharding/shard-owner.js';
import { snowflakeOnShard } from '../fakes/discord/snowflake.js';

const base = { DISCORD_TOKEN: 'discord-token-value', REPLICATE_API_TOKEN: 'r8_replicate-token-value', STORAGE_URL: 'redis://127.0.0.1:6379' };

describe('sharding settings', () => {
  it('npm start is not sharded; SHARD_COUNT and SHARD_IDS give the manager its count and this machine its shards', () => {
    expect(parseConfig(base)).toMatchObject({ shardCount: undefined, shardIds: undefined, shard: undefined });
    expect(parseConfig({ ...base, SHARD_COUNT: '8', SHARD_IDS: '0-3, 6' })).toMatchObject({ shardCount: 8, shardIds: [0, 1, 2, 3, 6] });
    expect(parseConfig({ ...base, SHARD_COUNT: '8', SHARD_IDS: '4,5' }).shardIds).toEqual([4, 5]);
  });

  it('a child of the manager is the shard SHARDS names', () => {
    expect(parseConfig({ ...base, SHARDS: '1', SHARD_COUNT: '2' }).shard).toEqual({ id: 1, count: 2 });
    expect(parseConfig({ ...base, SHARDS: '[0]', SHARD_COUNT: '2' }).shard).toEqual({ id: 0, count: 2 });
  });

  it.each([
    [{ SHARD_COUNT: '0' }, 'SHARD_COUNT must be a whole number of shards ≥ 1; see .env.example.'],
    [{ SHARD_COUNT: 'two' }, 'SHARD_COUNT must be a whole number of shards ≥ 1; see .env.example.'],
    [{ SHARD_IDS: '0-3' }, 'SHARD_IDS needs SHARD_COUNT: every machine must agree on the total, e.g. SHARD_COUNT=8 SHARD_IDS=0-3.'],
    [{ SHARD_COUNT: '4', SHARD_IDS: '2-5' }, 'SHARD_IDS names shard 4, but SHARD_COUNT is 4 (ids 0 to 3).'],
    [{ SHARD_COUNT: '4', SHARD_IDS: '3-1' }, 'SHARD_IDS has the range 3-1, which runs backwards; write it low-high.'],
    [{ SHARD_COUNT: '4', SHARD_IDS: 'all' }, 'SHARD_IDS must list shard ids like 0-3 or 4,5; see .env.example.'],
    [{ SHARDS: '2', SHARD_COUNT: '2' }, 'SHARDS is 2, but SHARD_COUNT is 2 (ids 0 to 1).'],
  ])('refuses %o with one line', (env, line) => {
    expect(() => parseConfig({ ...base, ...env })).toThrow(line);
  });

  it('refuses SHARD_IDS on a SQLite store: one file on one machine cannot serve shards elsewhere', () => {
    expect(() => parseConfig({ ...base, STORAGE_URL: 'sqlite://data/bot.sqlite', SHARD_COUNT: '4', SHARD_IDS: '0-1' })).toThrow(
      /^SHARD_IDS runs part of the shards .* a sqlite:\/\/ store is one file on one machine: use redis:\/\/ or postgresql:\/\/, or unset SHARD_IDS/,
    );
    expect(parseConfig({ ...base, STORAGE_URL: 'sqlite://data/bot.sqlite', SHARD_COUNT: '4' }).shardCount).toBe(4);
  });
});

describe('shard ownership', () => {
  it('follows Discord\'s formula, and npm start owns every guild', () => {
    expect(shardIdForGuild('175928847299117063', 4)).toBe(Number((175928847299117063n >> 22n) % 4n));
    const guild = snowflakeOnShard(2, 3);
    expect([0, 1, 2].map((id) => ownsGuild({ id, count: 3 }, guild))).toEqual([false, false, true]);
    expect(ownsGuild(undefined, guild)).toBe(true);
    expect(ownerOf({ id: 2, count: 3 })).toBe('shard-2');
    expect(ownerOf(undefined)).toBe('main');
  });

  it('spawns shards without a pause when every identify fits in one window, 5.5 s / max_concurrency apart otherwise', () => {
    expect(spawnDelayMs(2, 16)).toBe(0);
    expect(spawnDelayMs(4, 4)).toBe(0);
    expect(spawnDelayMs(8, 1)).toBe(5500);
    expect(spawnDelayMs(8, 2)).toBe(2750);
    expect(spawnDelayMs(8, undefined)).toBe(5500);
  });
});
