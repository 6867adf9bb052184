import type { FencedWrites } from './fenced-adapter.js';
import type { RedisEval } from './redis-slots.js';

/** KEYS[1] the owner's token hash (see redis-backend.ts), ARGV[1] the writer's token: a later grant refuses. */
const check = `if tonumber(redis.call('HGET', KEYS[1], 't') or '0') > tonumber(ARGV[1]) then return -1 end`;

const setScript = `${check}
if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) else redis.call('SET', KEYS[2], ARGV[2]) end
return 1`;

const deleteScript = `${check}
local deleted = 0
for i = 2, #KEYS do deleted = deleted + redis.call('DEL', KEYS[i]) end
return deleted`;

/**
 * keyv's rows written by a script that checks the fence first (atomic on the server). `keyOf` names a row as the
 * keyv adapter does (its own namespace prefix); `fenceKey` the owner's token hash.
 */
export function redisFencedWrites(client: RedisEval, keyOf: (key: string) => string, fenceKey: (owner: string) => string): FencedWrites {
  return {
    async set(fence, key, value, ttlMs) {
      const done = await client.eval(setScript, {
        keys: [fenceKey(fence.owner), keyOf(key)],
        arguments: [String(fence.token), value, ttlMs ? String(ttlMs) : ''],
      });
      return Number(done) === 1;
    },
    async delete(fence, keys) {
      const deleted = Number(
        await client.eval(deleteScript, { keys: [fenceKey(fence.owner), ...keys.map(keyOf)], arguments: [String(fence.token)] }),
      );
      return deleted < 0 ? 'fenced' : deleted > 0;
    },
  };
}
