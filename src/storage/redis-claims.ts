import type { ClaimStore } from './claims.js';
import type { RedisEval } from './redis-slots.js';

/**
 * `bot-claim:<key>` (outside keyv's `bot::` namespace) holds the holder, with the claim's TTL as the key's own PX
 * expiry. Each script runs atomically on the server: SET NX, or an extension when the holder already has it.
 */
const claimScript = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return ARGV[1] end
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return current`;

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export function redisClaims(client: RedisEval): ClaimStore {
  const keyOf = (key: string) => `bot-claim:${key}`;
  return {
    async claim({ key, holder, ttlMs }) {
      return String(await client.eval(claimScript, { keys: [keyOf(key)], arguments: [holder, String(ttlMs)] }));
    },
    async release(key, holder) {
      await client.eval(releaseScript, { keys: [keyOf(key)], arguments: [holder] });
    },
  };
}
