import { randomBytes } from 'node:crypto';

const DISCORD_EPOCH = 1_420_070_400_000n;

/**
 * Makes Discord-shaped snowflakes (timestamp << 22 | worker | increment): 18-19 digits for present-day
 * times, which is what @discordjs/rest needs to recognise major parameters and buckets.
 */
export function createSnowflakes(now: () => number): () => string {
  let increment = 0n;
  return () => {
    increment = (increment + 1n) & 0xfffn;
    const ms = BigInt(Math.max(Math.floor(now()), 1_500_000_000_000));
    return (((ms - DISCORD_EPOCH) << 22n) | (1n << 17n) | (1n << 12n) | increment).toString();
  };
}

/** An interaction token: long, url-safe and unguessable, like Discord's. */
export function newInteractionToken(): string {
  return `aW50ZXJhY3Rpb246${randomBytes(96).toString('base64url')}`;
}

/**
 * A snowflake (e.g. a guild id) that Discord's formula `(id >> 22) % count` puts on `shard`: for tests that need
 * guilds on given shards. `n` picks among many such ids (distinct for distinct n).
 */
export function snowflakeOnShard(shard: number, count: number, n = 0): string {
  if (!Number.isInteger(shard) || shard < 0 || shard >= count) throw new Error(`no shard ${shard} of ${count}`);
  const base = 1_700_000_000_000n - DISCORD_EPOCH;
  const ms = base - (base % BigInt(count)) + BigInt(shard) + BigInt(n) * BigInt(count);
  return ((ms << 22n) | (1n << 17n) | BigInt(n & 0xfff)).toString();
}
