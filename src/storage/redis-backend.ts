import type { KeyvStoreAdapter } from 'keyv';
import type { Logger } from 'pino';
import { encodeHolder, decodeHolder, type Backend } from './backend.js';
import { redisClaims } from './redis-claims.js';
import { fencedAdapter } from './fenced-adapter.js';
import { redisFencedWrites } from './redis-fenced-writes.js';
import { redisSlots, takeRedisTokens } from './redis-slots.js';
import { describeStoreError } from './store-error.js';

export interface RedisTimings {
  /** Longest wait for one command, also while the client reconnects (commands queue meanwhile). */
  commandTimeoutMs: number;
  connectTimeoutMs: number;
}

/**
 * Takes the lease when the key is absent, already ours or the dead holder's; renews its expiry either way (PX: the
 * server's clock decides it). One script, so the compare and the write cannot interleave with another process's.
 * A new holder gets the next fencing token (KEYS[2], a hash of token `t` and holder `h` that never expires, so a
 * token is never reused). Answers the holder, its PTTL and, when granted, the token.
 */
const claimScript = `
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] or current == ARGV[3] then
  local token = tonumber(redis.call('HGET', KEYS[2], 't') or '0')
  if redis.call('HGET', KEYS[2], 'h') ~= ARGV[1] then
    token = token + 1
    redis.call('HSET', KEYS[2], 't', token, 'h', ARGV[1])
  end
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {ARGV[1], tonumber(ARGV[2]), token}
end
return {current, redis.call('PTTL', KEYS[1]), 0}`;

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * `redis://…`: node-redis made here rather than by @keyv/redis, for bounded calls (a command never waits longer than
 * `commandTimeoutMs`, even while the server is away) and a connect that fails instead of retrying for good at start.
 * Once connected it reconnects on its own; the outage and the recovery are each logged once.
 */
export async function openRedisBackend(url: string, log: Logger, timings: RedisTimings, where: string): Promise<Backend> {
  const { createClient } = await import('@redis/client');
  let connected = false;
  let down = false;
  const client = createClient({
    url,
    socket: {
      connectTimeout: timings.connectTimeoutMs,
      reconnectStrategy: (retries: number, cause: Error) => (connected ? Math.min(100 * 2 ** retries, 2000) : cause),
    },
    commandOptions: { timeout: timings.commandTimeoutMs },
  });
  client.on('error', (err: unknown) => {
    if (!connected || down) return;
    down = true;
    log.warn({ store: where, reason: describeStoreError(err) }, 'store connection lost; reconnecting');
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log.info({ store: where }, 'store connection back');
  });
  await client.connect();
  connected = true;

  const { default: KeyvRedis } = await import('@keyv/redis');
  // Its own flags: keyv's throwOnErrors does not reach the adapter, whose reads and writes otherwise resolve
  // `undefined` on any error (a refused SET would read as stored, a failed GET as missing).
  const adapter = new KeyvRedis(client as never, { throwOnErrors: true, throwOnConnectError: true });
  const leaseKey = (owner: string) => `bot-lease:${owner}`;
  const fenceKey = (owner: string) => `bot-lease-token:${owner}`;
  const writes = redisFencedWrites(client, (key) => adapter.createKeyPrefix(key, adapter.namespace), fenceKey);

  return {
    where,
    adapter: adapter as unknown as KeyvStoreAdapter,
    async claimLease({ owner, me, ttlMs, replacing }) {
      const [value, pttl, token] = (await client.eval(claimScript, {
        keys: [leaseKey(owner), fenceKey(owner)],
        arguments: [encodeHolder(me), String(ttlMs), replacing ? encodeHolder(replacing) : ''],
      })) as [string, number, number];
      return {
        holder: decodeHolder(value),
        ...(pttl >= 0 ? { expiresInMs: pttl } : {}),
        ...(value === encodeHolder(me) ? { token: Number(token) } : {}),
      };
    },
    async releaseLease(owner, me) {
      await client.eval(releaseScript, { keys: [leaseKey(owner)], arguments: [encodeHolder(me)] });
    },
    fenced: (fence) => fencedAdapter(adapter as unknown as KeyvStoreAdapter, fence, writes),
    slots: redisSlots(client),
    claims: redisClaims(client),
    takeTokens: (take) => takeRedisTokens(client, take),
    // Redis expires keys itself (keyv sets PX with the TTL).
    pruneExpired: () => Promise.resolve(0),
    async checkSettings() {
      let settings: Record<string, string>;
      try {
        settings = await client.configGet('*');
      } catch {
        return []; // CONFIG is often disabled on managed Redis: nothing to say then.
      }
      const warnings: string[] = [];
      const policy = settings['maxmemory-policy'];
      if (policy && policy !== 'noeviction') {
        warnings.push(
          `Redis at ${where} evicts keys when memory runs out (maxmemory-policy ${policy}): jobs can vanish; ` +
            'set maxmemory-policy noeviction (and appendonly yes) for the bot',
        );
      }
      if (settings.appendonly === 'no' && (settings.save ?? '').trim() === '') {
        warnings.push(
          `Redis at ${where} keeps nothing on disk (appendonly no, no save): a restart of Redis loses every job; ` +
            'set appendonly yes (appendfsync everysec or always) for the bot',
        );
      }
      return warnings;
    },
    async close() {
      if (client.isReady) await client.close();
      else client.destroy();
    },
  };
}
